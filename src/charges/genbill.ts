/**
 * The genBill compatibility conversion: POST /api/v1/bill/genBill sends items with `price` in
 * major units ('899' or 899 rupees). They become OneOffItems in minor units (89900 paise)
 * through toMinorUnits: exact decimal arithmetic, and more decimals than the currency has is
 * an error rather than a silent rounding.
 */
import { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import { BillflowError } from '../errors.ts';
import { currencyCodeSchema, invalidInputError, issueDetails, MAX_ERROR_DETAILS } from '../customers/index.ts';
import { toMinorUnits } from '../money/format.ts';
import { MAX_ITEMS_PER_CALL, oneOffItemSchema, productTextSchema, quantitySchema, type OneOffItem } from './one-off.ts';

export const genBillItemSchema = z.strictObject({
  productId: productTextSchema,
  productName: productTextSchema,
  quantity: quantitySchema,
  /** Major units: 899, '899', '899.50'. */
  price: z.union([z.number(), z.string().max(40)], { error: "expected a decimal amount such as 899 or '899.50'" }),
});
export type GenBillItem = z.input<typeof genBillItemSchema>;

export const genBillItemsSchema = z
  .array(genBillItemSchema)
  .min(1, { error: 'at least one item' })
  .max(MAX_ITEMS_PER_CALL, { error: `at most ${MAX_ITEMS_PER_CALL} items per call` });

/** The minor-unit price, or a detail naming `field` when the decimal does not fit the currency. */
function priceMinor(price: unknown, currency: string, field: string, details: ErrorDetail[]): number {
  if (typeof price !== 'number' && typeof price !== 'string') return 0; // the schema reports the type
  try {
    const minor = toMinorUnits(price, currency);
    if (minor < 0) details.push({ field, message: 'must be ≥ 0' });
    return minor;
  } catch (error) {
    if (!(error instanceof BillflowError)) throw error;
    details.push({ field, message: error.details[0]?.message ?? error.message });
    return 0;
  }
}

/**
 * genBill items (major-unit prices) → OneOffItems (minor units), or invalid_input naming every
 * bad field of every item at once (the shape, then each price against the currency's decimals).
 */
export function itemsFromGenBill(items: unknown, currency: string): OneOffItem[] {
  const details: ErrorDetail[] = [];
  const currencyResult = currencyCodeSchema.safeParse(currency);
  if (!currencyResult.success) details.push(...issueDetails(currencyResult.error.issues, ['currency']));
  const itemsResult = genBillItemsSchema.safeParse(items);
  if (!itemsResult.success) details.push(...issueDetails(itemsResult.error.issues, ['items']));
  const converted: OneOffItem[] = [];
  if (currencyResult.success && Array.isArray(items)) {
    items.forEach((raw: unknown, i) => {
      const field = `items[${i}].price`;
      const price = (raw as { price?: unknown } | null)?.price;
      const minor = details.some((d) => d.field === field) ? 0 : priceMinor(price, currencyResult.data, field, details);
      const item = raw as GenBillItem;
      converted.push({ productId: item?.productId, productName: item?.productName, quantity: item?.quantity, price: minor });
    });
  }
  if (details.length === 0) {
    // The overflow rule (quantity × price) lives in oneOffItemSchema; apply it to the minor units.
    converted.forEach((item, i) => {
      const check = oneOffItemSchema.safeParse(item);
      if (!check.success) details.push(...issueDetails(check.error.issues, ['items', i]));
    });
  }
  if (details.length > 0) throw invalidInputError(details.slice(0, MAX_ERROR_DETAILS));
  return converted.map((item) => oneOffItemSchema.parse(item));
}
