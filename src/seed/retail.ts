/**
 * Retail customers: 1–3 orders in the billing window, each 1–4 distinct items (the genBill
 * shape: product id, name, quantity, unit price). Some get a refund of an earlier purchase that
 * points at the payment it refunds; a deliberate ~0.1% of all customers get a refund with no
 * original payment, which billing validation must quarantine.
 */
import { RETAIL_ITEMS, toMinor } from './catalog.ts';
import type { CustomerFacts } from './customer.ts';
import { addOneOff, addPayment } from './one-offs.ts';
import { WeightedTable } from './prng.ts';
import { type GenContext, windowFor } from './rows.ts';

const ORDERS_PER_PERIOD = new WeightedTable<number>([[1, 40], [2, 35], [3, 25]]);
const QUANTITY = new WeightedTable<number>([[1, 75], [2, 18], [3, 7]]);
const REFUND_SHARE = 0.08;
/** Share of ALL customers (retail is 15% of them) with a refund lacking its original payment. */
export const REFUND_WITHOUT_PAYMENT_SHARE = 0.001;
const RETAIL_SHARE = 0.15;
const SHIPPING_ITEM = RETAIL_ITEMS.findIndex((i) => i.productId === 'SH001');

function cheapestItem(facts: CustomerFacts): number {
  let best = 0;
  for (let i = 1; i < RETAIL_ITEMS.length; i++) if (price(facts, i) < price(facts, best)) best = i;
  return best;
}

function price(facts: CustomerFacts, itemIndex: number): number {
  const item = RETAIL_ITEMS[itemIndex];
  const major = item?.prices[facts.currency];
  if (major === undefined) throw new Error(`no ${facts.currency} price for retail item ${itemIndex}`);
  return toMinor(facts.currency, major);
}

/** Returns the expected invoice lines (one per one-off row). */
export function generateRetail(ctx: GenContext, facts: CustomerFacts): number {
  const rng = facts.rng;
  const w = windowFor(ctx, facts.anchorDay);
  const len = w.endDay - w.startDay;
  const order = RETAIL_ITEMS.map((_, i) => i);
  let lines = 0;
  let chargedMinor = 0;
  const orders = ORDERS_PER_PERIOD.pick(rng);
  for (let o = 0; o < orders; o++) {
    const day = w.startDay + rng.int(0, len - 1);
    const items = rng.int(1, 4);
    for (let i = 0; i < items; i++) {
      // Partial Fisher–Yates: the items of one order are distinct.
      const j = rng.int(i, order.length - 1);
      const pick = order[j] as number;
      order[j] = order[i] as number;
      order[i] = pick;
      const item = RETAIL_ITEMS[pick];
      if (!item) throw new Error('retail item index out of range');
      const quantity = QUANTITY.pick(rng);
      const unit = price(facts, pick);
      chargedMinor += quantity * unit;
      addOneOff(ctx, facts, {
        kind: 'charge', productId: item.productId, productName: item.name, quantity, unitPriceMinor: unit, day, paymentId: null,
      });
      lines++;
    }
  }
  const orphan = rng.chance(REFUND_WITHOUT_PAYMENT_SHARE / RETAIL_SHARE);
  if (orphan || rng.chance(REFUND_SHARE)) {
    // Refund at most what this period charges: a negative invoice is a different test case.
    let pick = rng.int(0, RETAIL_ITEMS.length - 1);
    if (price(facts, pick) > chargedMinor) pick = cheapestItem(facts);
    const item = RETAIL_ITEMS[pick];
    if (!item) throw new Error('retail item index out of range');
    const unit = price(facts, pick);
    // The refunded purchase was paid last period (with shipping on top); the refund is this one.
    const paymentId = orphan ? null : addPayment(ctx, facts, unit + price(facts, SHIPPING_ITEM), w.startDay - rng.int(3, 25));
    addOneOff(ctx, facts, {
      kind: 'refund', productId: item.productId, productName: `Refund: ${item.name}`, quantity: 1, unitPriceMinor: -unit,
      day: w.startDay + rng.int(0, len - 1), paymentId,
    });
    lines++;
  }
  return lines;
}
