/**
 * Helpers for the domain write tests (customers, catalog, subscriptions, usage, loans, charges):
 * assert a typed error names a field, count rows to prove nothing was written, and insert the
 * minimum fixtures. Test-only: nothing in the library imports this file.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { BillflowError } from '../errors.ts';

export interface ExpectedError {
  code: string;
  httpStatus: number;
  /** A details[].field that must be present (exact match). */
  field: string;
}

export async function expectBillflowError(work: () => Promise<unknown>, expected: ExpectedError): Promise<BillflowError> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof BillflowError, `expected a BillflowError, got ${String(error)}`);
    assert.equal(error.code, expected.code, `code (${error.message})`);
    assert.equal(error.httpStatus, expected.httpStatus, `httpStatus (${error.message})`);
    const fields = error.details.map((d) => d.field);
    assert.ok(fields.includes(expected.field), `details should name ${expected.field}, got ${JSON.stringify(error.details)}`);
    return error;
  }
  assert.fail(`expected ${expected.code} naming ${expected.field}, but nothing was thrown`);
}

/** Row counts of the given tables, to compare before and after a rejected write. */
export async function rowCounts(db: pg.Pool, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    out[table] = (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
  }
  return out;
}

let fixtureSeq = 0;

/** A plain INR customer with legal entity 'in' (migration 0002); returns its id. */
export async function insertTestCustomer(db: pg.Pool, overrides: { currency?: string; email?: string } = {}): Promise<number> {
  fixtureSeq++;
  const result = await db.query<{ id: number }>(
    `insert into customers (name, email, currency, country, tax_region, legal_entity_id)
     values ($1, $2, $3, 'IN', 'IN-MH', 'in') returning id`,
    [`Test Customer ${fixtureSeq}`, overrides.email ?? `fixture-${process.pid}-${fixtureSeq}@example.com`, overrides.currency ?? 'INR'],
  );
  return result.rows[0]!.id;
}

export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });
