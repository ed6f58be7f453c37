/**
 * Coupons. A coupon discounts the lines of an invoice before tax (tax is then computed on
 * amount − discount, as VAT and GST law tax the consideration actually charged).
 *
 * The caller decides what is discountable and passes one weight per invoice line: the line's
 * amount when a discount may apply to it, 0 when it may not. Refund lines (negative) and loan
 * EMI principal/interest lines must be passed as 0; a negative weight is treated as 0 here too,
 * so a refund can never be "discounted" into a larger refund.
 */
import type { CouponInfo, IsoDate } from '../billing/types.ts';
import { addMonthsClamped } from '../billing/calendar.ts';
import { BillflowError } from '../errors.ts';
import { percentOfMinor } from '../money/rounding.ts';

/**
 * Whether a coupon applied from `appliedFrom` discounts the billing window starting at
 * `windowStart`: windows starting on or after appliedFrom, for durationPeriods windows (null =
 * forever). appliedFrom is a window start (customer_coupons.applied_from); a coupon applied
 * mid-window first discounts the next window, so no period is discounted before the coupon
 * existed. The end is appliedFrom + durationPeriods months, clamped like the windows themselves,
 * so "3 periods" from a 31st-anchored start covers exactly three windows, February included.
 */
export function couponApplies(coupon: CouponInfo, appliedFrom: IsoDate, windowStart: IsoDate): boolean {
  if (windowStart < appliedFrom) return false; // ISO dates compare as strings
  if (coupon.durationPeriods === null) return true;
  return windowStart < addMonthsClamped(appliedFrom, coupon.durationPeriods);
}

/**
 * The discount of one coupon on each line, in the invoice currency's minor units.
 *
 * - percentage: each discountable line gets round(weight × percent / 100), half-even, per line.
 * - fixed: min(coupon amount, Σ positive weights), spread over the lines in proportion to their
 *   weights by the largest-remainder method (Hamilton), so the parts sum exactly to the whole
 *   and no line is discounted below zero. A fixed coupon in another currency discounts nothing:
 *   converting it would make the discount depend on the day's FX rate.
 */
export function allocateDiscount(discountableMinor: readonly number[], coupon: CouponInfo, currency: string): number[] {
  if (coupon.kind === 'percentage') {
    if (coupon.percent === null) throw invalidCoupon(coupon, 'a percentage coupon needs percent');
    const percent = coupon.percent;
    return discountableMinor.map((weight) => (weight > 0 ? percentOfMinor(weight, percent) : 0));
  }
  if (coupon.amountMinor === null || coupon.currency === null) throw invalidCoupon(coupon, 'a fixed coupon needs amountMinor and currency');
  if (coupon.currency !== currency) return discountableMinor.map(() => 0);
  let totalWeight = 0;
  for (const weight of discountableMinor) if (weight > 0) totalWeight += weight;
  return largestRemainder(discountableMinor, Math.min(coupon.amountMinor, totalWeight), totalWeight);
}

/**
 * Splits `total` (≤ totalWeight) over positive weights: floor(total × w / W) each, then one more
 * unit to the lines with the largest remainders (earlier lines first on ties).
 */
function largestRemainder(weights: readonly number[], total: number, totalWeight: number): number[] {
  const shares = new Array<number>(weights.length).fill(0);
  if (total <= 0) return shares;
  const remainders = new Array<bigint>(weights.length).fill(-1n);
  let allocated = 0;
  const bigTotal = BigInt(total);
  const bigWeight = BigInt(totalWeight);
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i] as number;
    if (weight <= 0) continue;
    // BigInt: total × weight can pass 2^53 for large invoices, and the split must be exact.
    const product = bigTotal * BigInt(weight);
    shares[i] = Number(product / bigWeight);
    remainders[i] = product % bigWeight;
    allocated += shares[i] as number;
  }
  let left = total - allocated; // < number of positive lines
  while (left > 0) {
    let best = -1;
    for (let i = 0; i < weights.length; i++) {
      if ((remainders[i] as bigint) < 0n) continue;
      if (best === -1 || (remainders[i] as bigint) > (remainders[best] as bigint)) best = i;
    }
    shares[best] = (shares[best] as number) + 1;
    remainders[best] = -1n; // each line gets at most one extra unit
    left--;
  }
  return shares;
}

function invalidCoupon(coupon: CouponInfo, message: string): BillflowError {
  return new BillflowError('invalid_coupon', `coupon ${coupon.id}: ${message}`, {
    details: [{ field: `coupons.${coupon.id}`, message }],
  });
}
