/**
 * One-off charges: the genBill line-item shape, in integer minor units of the customer's
 * currency. All items of a call are written together or not at all.
 */
import { z } from 'zod';
import type { IsoDate } from '../billing/types.ts';
import {
  amountMinorSchema,
  conflict,
  inTransaction,
  isoDateSchema,
  lockCustomer,
  parseInput,
  recordIdSchema,
  run,
  todayOf,
  type Deps,
} from '../customers/index.ts';
import { chargesSql } from './charges-sql.ts';
import { rowToOneOffCharge, type OneOffCharge, type OneOffChargeRow } from './types.ts';

export const MAX_ITEMS_PER_CALL = 100;
const MAX_TEXT = 200;

export const productTextSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(MAX_TEXT, { error: `at most ${MAX_TEXT} characters` });

export const quantitySchema = z.int({ error: 'expected a whole number' }).min(1, { error: 'must be ≥ 1' });

export const oneOffItemSchema = z
  .strictObject({
    productId: productTextSchema,
    productName: productTextSchema,
    quantity: quantitySchema,
    /** Unit price in minor units of the customer's currency. */
    price: amountMinorSchema,
  })
  .refine((item) => Number.isSafeInteger(item.quantity * item.price), {
    path: ['price'],
    error: 'quantity × price exceeds the largest amount that can be billed',
  });
export type OneOffItem = z.output<typeof oneOffItemSchema>;

export const createOneOffChargesSchema = z.strictObject({
  customerId: recordIdSchema,
  items: z
    .array(oneOffItemSchema)
    .min(1, { error: 'at least one item' })
    .max(MAX_ITEMS_PER_CALL, { error: `at most ${MAX_ITEMS_PER_CALL} items per call` }),
  /** Defaults to the clock's today. */
  chargedOn: isoDateSchema.optional(),
});
export type CreateOneOffChargesInput = z.input<typeof createOneOffChargesSchema>;

export interface OneOffChargesResult {
  currency: string;
  chargedOn: IsoDate;
  charges: OneOffCharge[];
}

export async function createOneOffCharges(deps: Deps, input: CreateOneOffChargesInput): Promise<OneOffChargesResult> {
  const { customerId, items, chargedOn } = parseInput(createOneOffChargesSchema, input);
  const day = chargedOn ?? todayOf(deps.clock);
  const rows = {
    productIds: items.map((i) => i.productId),
    productNames: items.map((i) => i.productName),
    quantities: items.map((i) => i.quantity),
    unitPricesMinor: items.map((i) => i.price),
  };
  return inTransaction(deps.db, async (client) => {
    const customer = await lockCustomer(client, customerId);
    if (customer.status === 'closed') throw conflict('customerId', `customer ${customerId} is closed`);
    const inserted = await run<OneOffChargeRow>(client, chargesSql.insertCharges(customerId, customer.currency, day, rows));
    return { currency: customer.currency, chargedOn: day, charges: inserted.rows.map(rowToOneOffCharge) };
  });
}
