/**
 * One-off charges (the genBill line-item shape) and the payments refunds point at.
 */
import type { CustomerFacts } from './customer.ts';
import { type GenContext, nextId } from './rows.ts';

export interface OneOffSpec {
  kind: 'charge' | 'refund';
  productId: string;
  productName: string;
  quantity: number;
  unitPriceMinor: number; // negative for refunds
  day: number; // charged_on, a day number inside the billing window
  paymentId: number | null; // original payment of a refund
}

export function addOneOff(ctx: GenContext, facts: CustomerFacts, spec: OneOffSpec): number {
  const id = nextId(ctx, 'one_off_charges');
  const d = ctx.days;
  ctx.rows.one_off_charges.push([
    id, facts.id, spec.kind, spec.productId, spec.productName, spec.quantity, spec.unitPriceMinor, facts.currency,
    d.format(spec.day), spec.paymentId, d.timestamp(spec.day, facts.rng.int(28_800, 79_200)),
  ]);
  return id;
}

/** A payment received from the customer on `day`; returns its id. */
export function addPayment(ctx: GenContext, facts: CustomerFacts, amountMinor: number, day: number): number {
  const id = nextId(ctx, 'payments');
  ctx.rows.payments.push([
    id, facts.id, facts.currency, amountMinor, ctx.days.timestamp(day, facts.rng.int(0, 86_399)), `seed-${ctx.seed}-pay-${id}`,
  ]);
  if (day < facts.earliestDay) facts.earliestDay = day;
  return id;
}
