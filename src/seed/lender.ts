/**
 * Lender customers: one active loan each, in its first to last-but-one year of tenure, so an
 * installment falls due in the billing period (first_due_on lies before the period). About 15%
 * are behind: paid_installments trails the installments already due, so overdue EMIs and a late
 * fee apply. Some also pay a monthly loan-protection insurance premium as a one-off charge.
 */
import { computeEmiMinor } from '../loans/emi.ts';
import { type SeedCurrency, SERVICE_ITEMS, toMinor } from './catalog.ts';
import { addMonthsToPeriod, clampedDay } from './calendar.ts';
import type { CustomerFacts } from './customer.ts';
import { addOneOff } from './one-offs.ts';
import { type GenContext, nextId, windowFor } from './rows.ts';

const TENURES_MONTHS = [12, 18, 24, 36, 48, 60];
const DUE_DAYS = [1, 5, 7, 10, 15, 20];
export const OVERDUE_SHARE = 0.15;
const INSURANCE_SHARE = 0.5;

/** Principal range in major units and the step it is rounded to. */
// prettier-ignore
const PRINCIPAL_MAJOR: Record<SeedCurrency, readonly [min: number, max: number, step: number]> = {
  INR: [50_000, 1_500_000, 5000], USD: [2000, 40_000, 500], EUR: [2000, 35_000, 500],
  GBP: [1500, 30_000, 500], JPY: [200_000, 4_000_000, 10_000], KWD: [500, 12_000, 100],
};
const LATE_FEE_MAJOR: Record<SeedCurrency, number> = { INR: 500, USD: 15, EUR: 15, GBP: 12, JPY: 2000, KWD: 5 };
const MIN_PREMIUM_MAJOR: Record<SeedCurrency, number> = { INR: 99, USD: 4, EUR: 4, GBP: 3, JPY: 500, KWD: 1 };

/** Returns the expected invoice lines: principal + interest, late fees when behind, insurance. */
export function generateLender(ctx: GenContext, facts: CustomerFacts): number {
  const rng = facts.rng;
  const currency = facts.currency;
  const tenure = rng.pick(TENURES_MONTHS);
  const annualRate = (rng.int(36, 96) / 4).toFixed(2); // 9.00% .. 24.00% in quarter points
  const [min, max, step] = PRINCIPAL_MAJOR[currency];
  const principalMinor = toMinor(currency, rng.int(min / step, max / step) * step);
  const overdue = rng.chance(OVERDUE_SHARE);
  const dueBefore = rng.int(1, tenure - 1); // installments due before this period
  const paid = overdue ? dueBefore - rng.int(1, Math.min(3, dueBefore)) : dueBefore;
  const firstDueDay = clampedDay(addMonthsToPeriod(ctx.period, -dueBefore), rng.pick(DUE_DAYS));
  const createdDay = firstDueDay - rng.int(20, 40);
  const d = ctx.days;
  ctx.rows.loans.push([
    nextId(ctx, 'loans'), facts.id, currency, principalMinor, annualRate, tenure, d.format(firstDueDay),
    computeEmiMinor(principalMinor, annualRate, tenure), toMinor(currency, LATE_FEE_MAJOR[currency]), paid, 'active',
    d.timestamp(createdDay, rng.int(32_400, 64_800)),
  ]);
  if (createdDay < facts.earliestDay) facts.earliestDay = createdDay;
  let lines = 2 + (dueBefore - paid); // principal + interest, and a late fee per overdue installment
  if (rng.chance(INSURANCE_SHARE)) {
    const w = windowFor(ctx, facts.anchorDay);
    const premium = Math.max(Math.round(principalMinor * 0.0004), toMinor(currency, MIN_PREMIUM_MAJOR[currency]));
    const item = SERVICE_ITEMS.loanInsurance;
    addOneOff(ctx, facts, {
      kind: 'charge', productId: item.productId, productName: item.name, quantity: 1, unitPriceMinor: premium,
      day: w.startDay + rng.int(0, 4), paymentId: null,
    });
    lines++;
  }
  return lines;
}
