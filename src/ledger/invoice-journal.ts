import type pg from 'pg';
import { copyWith, encodeCell } from '../db/copy.ts';
import { entryColumns, ledgerSql, lineColumns } from './ledger-sql.ts';

/** What the billing run keeps of each issued invoice (billing/persist.ts's IssuedInvoice). */
export interface IssuedForJournal {
  id: number;
  customerId: number;
  currency: string;
  totalMinor: number;
  taxMinor: number;
}

const KIND_INVOICE = encodeCell('invoice');
const RECEIVABLE = encodeCell('receivable');
const REVENUE = encodeCell('revenue');
const TAX_PAYABLE = encodeCell('tax_payable');

/**
 * Posts the journal of a batch of issued invoices in the caller's transaction (the billing
 * run's persist stage and the ad-hoc invoice): one entry per invoice — receivable Dr total,
 * revenue Cr total − tax, tax payable Cr tax (zero lines left out) — written with COPY like
 * the invoices, and the customers' receivable balances in one upsert. Three round trips per
 * batch beside the invoices' own; the same amounts as entries.ts's invoiceEntry (tested).
 */
export async function postInvoiceJournal(client: pg.PoolClient, invoices: readonly IssuedForJournal[]): Promise<number> {
  const posted = invoices.filter((i) => i.totalMinor !== 0 || i.taxMinor !== 0);
  if (posted.length === 0) return 0;
  const ids = (await client.query<{ id: number }>(ledgerSql.reserveEntryIds(posted.length))).rows;
  await copyWith(client, 'journal_entries', entryColumns, (w) => {
    for (let i = 0; i < posted.length; i++) {
      const d = posted[i]!;
      w.int(ids[i]!.id); w.bytes(KIND_INVOICE); w.int(d.id); w.int(d.customerId); w.cached(d.currency);
      w.endRow();
    }
  });
  await copyWith(client, 'journal_lines', lineColumns, (w) => {
    for (let i = 0; i < posted.length; i++) {
      const d = posted[i]!;
      const entryId = ids[i]!.id;
      let lineNo = 1;
      const line = (account: Uint8Array, amountMinor: number) => {
        if (amountMinor === 0) return;
        w.int(entryId); w.int(lineNo++); w.bytes(account); w.int(d.customerId); w.cached(d.currency); w.int(amountMinor);
        w.endRow();
      };
      line(RECEIVABLE, d.totalMinor);
      line(REVENUE, -(d.totalMinor - d.taxMinor));
      line(TAX_PAYABLE, -d.taxMinor);
    }
  });
  await addReceivables(client, posted);
  return posted.length;
}

/** One upsert of the batch's receivables, aggregated per (customer, currency), in key order. */
async function addReceivables(client: pg.PoolClient, posted: readonly IssuedForJournal[]): Promise<void> {
  const byKey = new Map<string, { customerId: number; currency: string; amount: number }>();
  for (const d of posted) {
    const key = `${d.customerId}\0${d.currency}`;
    const acc = byKey.get(key);
    if (acc) acc.amount += d.totalMinor;
    else byKey.set(key, { customerId: d.customerId, currency: d.currency, amount: d.totalMinor });
  }
  const rows = [...byKey.values()].sort((a, b) => a.customerId - b.customerId || (a.currency < b.currency ? -1 : 1));
  const sql = ledgerSql.addToBalances(rows.map((r) => r.customerId), rows.map((r) => r.currency), rows.map((r) => r.amount), rows.map(() => 0));
  await client.query(sql.text, sql.values);
}
