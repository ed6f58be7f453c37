/**
 * Reading one-off charges and refunds back: one by id, or a page by id with filters. Whether a
 * charge is billed yet is `billedBy` (the invoice source that billed it through genBill; cycle
 * charges are billed by the period's cycle invoice, which the invoices API shows).
 */
import type pg from 'pg';
import { z } from 'zod';
import { notFound, pageLimitSchema, parseInput, recordIdSchema, run } from '../customers/index.ts';
import { chargesSql } from './charges-sql.ts';
import { rowToOneOffCharge, type OneOffCharge, type OneOffChargeRow } from './types.ts';

export const listChargesSchema = z.strictObject({
  customerId: recordIdSchema.optional(),
  kind: z.enum(['charge', 'refund'], { error: 'expected charge or refund' }).optional(),
  limit: pageLimitSchema,
  /** Cursor: the nextAfter of the previous page. */
  after: recordIdSchema.optional(),
});
export type ListChargesInput = z.input<typeof listChargesSchema>;

export async function getCharge(db: pg.Pool, chargeId: number): Promise<OneOffCharge> {
  const id = parseInput(recordIdSchema, chargeId, ['chargeId']);
  const row = (await run<OneOffChargeRow>(db, chargesSql.byId(id))).rows[0];
  if (row === undefined) throw notFound('charge', [{ field: 'chargeId', message: `no charge with id ${id}` }]);
  return rowToOneOffCharge(row);
}

/** Charges by id, filtered, with a cursor: `nextAfter` continues, null on the last page. */
export async function listCharges(db: pg.Pool, input: ListChargesInput = {}): Promise<{ charges: OneOffCharge[]; nextAfter: number | null }> {
  const f = parseInput(listChargesSchema, input);
  const sql = chargesSql.page({ customerId: f.customerId ?? null, kind: f.kind ?? null, after: f.after ?? 0, limit: f.limit });
  const charges = (await run<OneOffChargeRow>(db, sql)).rows.map(rowToOneOffCharge);
  const last = charges[charges.length - 1];
  return { charges, nextAfter: charges.length === f.limit && last !== undefined ? last.id : null };
}
