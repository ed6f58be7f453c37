import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { balanceDelta, type JournalEntry } from './entries.ts';
import { ledgerSql } from './ledger-sql.ts';

type Db = pg.PoolClient | pg.Client;

export interface PostOptions {
  /**
   * Optimistic concurrency: the balance version the caller read before deciding (e.g. how much
   * credit to refund). If the balance moved since, nothing is posted and a retryable
   * 'balance_conflict' is thrown (the caller's transaction must roll back and decide again).
   */
  expectVersion?: { customerId: number; currency: string; version: number };
}

/** The balance deltas of entries, one per (customer, currency), in key order. */
export function balanceDeltas(entries: JournalEntry[]): { customerId: number; currency: string; receivableMinor: number; creditMinor: number }[] {
  const byKey = new Map<string, { customerId: number; currency: string; receivableMinor: number; creditMinor: number }>();
  for (const e of entries) {
    if (e.customerId === null) continue;
    const d = balanceDelta(e);
    const key = `${e.customerId}\0${e.currency}`;
    const acc = byKey.get(key);
    if (acc) {
      acc.receivableMinor += d.receivableMinor;
      acc.creditMinor += d.creditMinor;
    } else byKey.set(key, { customerId: e.customerId, currency: e.currency, ...d });
  }
  return [...byKey.values()].sort((a, b) => a.customerId - b.customerId || (a.currency < b.currency ? -1 : 1));
}

/**
 * Posts entries in the caller's transaction: entries, all their lines in one statement (the
 * database checks each entry balanced per statement), and the customers' balances. Returns the
 * entry ids. For the billing run's bulk path see invoice-journal.ts.
 */
export async function postEntries(client: Db, entries: JournalEntry[], options: PostOptions = {}): Promise<number[]> {
  const posted = entries.filter((e) => e.lines.length > 0);
  if (posted.length === 0) return [];
  const ids = (await client.query<{ id: number }>(ledgerSql.reserveEntryIds(posted.length))).rows.map((r) => r.id);
  const ins = ledgerSql.insertEntries(ids, posted.map((e) => e.kind), posted.map((e) => e.refId), posted.map((e) => e.customerId), posted.map((e) => e.currency));
  await client.query(ins.text, ins.values);
  const cols = { entryIds: [] as number[], lineNos: [] as number[], accounts: [] as string[], customerIds: [] as (number | null)[], currencies: [] as string[], amounts: [] as number[] };
  posted.forEach((e, i) => e.lines.forEach((l, k) => {
    cols.entryIds.push(ids[i]!); cols.lineNos.push(k + 1); cols.accounts.push(l.account);
    cols.customerIds.push(l.customerId); cols.currencies.push(l.currency); cols.amounts.push(l.amountMinor);
  }));
  const lines = ledgerSql.insertLines(cols);
  await client.query(lines.text, lines.values);
  await applyDeltas(client, balanceDeltas(posted), options);
  return ids;
}

async function applyDeltas(client: Db, deltas: ReturnType<typeof balanceDeltas>, options: PostOptions): Promise<void> {
  const expect = options.expectVersion;
  const rest = [];
  for (const d of deltas) {
    if (expect && d.customerId === expect.customerId && d.currency === expect.currency) {
      const sql = expect.version === 0
        ? ledgerSql.insertBalanceIfAbsent(d.customerId, d.currency, d.receivableMinor, d.creditMinor)
        : ledgerSql.addToBalanceIfVersion(d.customerId, d.currency, d.receivableMinor, d.creditMinor, expect.version);
      if ((await client.query(sql.text, sql.values)).rowCount === 0) {
        throw new BillflowError('balance_conflict', `the balance of customer ${d.customerId} in ${d.currency} changed meanwhile; try again`, {
          httpStatus: 409, retryable: true, details: [{ field: 'customerId', message: 'balance version changed' }],
        });
      }
    } else rest.push(d);
  }
  if (rest.length === 0) return;
  const sql = ledgerSql.addToBalances(rest.map((d) => d.customerId), rest.map((d) => d.currency), rest.map((d) => d.receivableMinor), rest.map((d) => d.creditMinor));
  await client.query(sql.text, sql.values);
}

export interface CustomerBalance {
  receivableMinor: number;
  creditMinor: number;
  version: number;
}

/** A customer's balance in a currency (zeros and version 0 when nothing was ever posted). */
export async function getBalance(db: Db | pg.Pool, customerId: number, currency: string, forUpdate = false): Promise<CustomerBalance> {
  const sql = ledgerSql.getBalance(customerId, currency);
  const row = (await db.query(sql.text + (forUpdate ? ' for update' : ''), sql.values)).rows[0];
  if (!row) return { receivableMinor: 0, creditMinor: 0, version: 0 };
  return { receivableMinor: row.receivable_minor, creditMinor: row.credit_minor, version: row.version };
}
