import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CouponInfo } from '../billing/types.ts';
import { BillflowError } from '../errors.ts';
import { allocateDiscount, couponApplies } from './discounts.ts';

const pct = (percent: string, durationPeriods: number | null = null): CouponInfo => ({
  id: `pct${percent}`, name: `${percent}% off`, kind: 'percentage', percent, amountMinor: null, currency: null, durationPeriods,
});
const fixed = (amountMinor: number, currency = 'USD'): CouponInfo => ({
  id: `fixed${amountMinor}`, name: 'Fixed off', kind: 'fixed', percent: null, amountMinor, currency, durationPeriods: null,
});

test('couponApplies: from appliedFrom, for durationPeriods windows; null is forever', () => {
  const threeMonths = pct('10', 3);
  assert.equal(couponApplies(threeMonths, '2026-01-01', '2025-12-01'), false);
  assert.equal(couponApplies(threeMonths, '2026-01-01', '2026-01-01'), true);
  assert.equal(couponApplies(threeMonths, '2026-01-01', '2026-03-01'), true);
  assert.equal(couponApplies(threeMonths, '2026-01-01', '2026-04-01'), false);
  assert.equal(couponApplies(pct('10'), '2026-01-01', '2036-01-01'), true);
});

test('couponApplies: anchor-31 windows (Jan 31, Feb 28, Mar 31, Apr 30) count as one period each', () => {
  const threeMonths = pct('10', 3);
  assert.deepEqual(
    ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30'].map((start) => couponApplies(threeMonths, '2026-01-31', start)),
    [true, true, true, false],
  );
  // Applied on the clamped Feb 28 window start of an anchor-31 customer: Feb, Mar; not Apr.
  assert.deepEqual(
    ['2026-02-28', '2026-03-31', '2026-04-30'].map((start) => couponApplies(pct('10', 2), '2026-02-28', start)),
    [true, true, false],
  );
});

test('couponApplies: applied mid-window, it starts with the next window', () => {
  assert.equal(couponApplies(pct('10', 1), '2026-01-15', '2026-01-01'), false);
  assert.equal(couponApplies(pct('10', 1), '2026-01-15', '2026-02-01'), true);
  assert.equal(couponApplies(pct('10', 1), '2026-01-15', '2026-03-01'), false);
});

test('percentage: per line, half-even; zero-weight and refund lines untouched', () => {
  // weights: a base fee, usage, an EMI line (caller passes 0), a refund (negative)
  assert.deepEqual(allocateDiscount([10000, 2555, 0, -500], pct('10'), 'USD'), [1000, 256, 0, 0]); // 255.5 → 256
  assert.deepEqual(allocateDiscount([2545], pct('10'), 'USD'), [254]); // 254.5 → 254
  assert.deepEqual(allocateDiscount([999], pct('100'), 'USD'), [999]);
  assert.deepEqual(allocateDiscount([1000], pct('12.5'), 'EUR'), [125]);
});

test('fixed: proportional, sums exactly to min(amount, Σ positive lines)', () => {
  assert.deepEqual(allocateDiscount([3000, 1000, 0, -500], fixed(1000), 'USD'), [750, 250, 0, 0]);
  assert.deepEqual(allocateDiscount([3000, 1000], fixed(5000), 'USD'), [3000, 1000]); // capped at the lines
  assert.deepEqual(allocateDiscount([0, -100], fixed(5000), 'USD'), [0, 0]);
  assert.deepEqual(allocateDiscount([], fixed(5000), 'USD'), []);
});

test('fixed: largest remainder puts the leftover cents where the fractions were largest', () => {
  // $1.00 over three equal lines: 33.33 each → 34, 33, 33 (tie → earliest line).
  assert.deepEqual(allocateDiscount([100, 100, 100], fixed(100), 'USD'), [34, 33, 33]);
  // 7 over weights 1:2:3:4 → 0.7, 1.4, 2.1, 2.8 → floors 0,1,2,2 (5), leftovers to .8 and .7.
  assert.deepEqual(allocateDiscount([1, 2, 3, 4], fixed(7), 'USD'), [1, 1, 2, 3]);
  // Large amounts: total × weight passes 2^53 and is still split exactly.
  const big = [4_000_000_000_000, 3_000_000_000_001, 2_999_999_999_999];
  const shares = allocateDiscount(big, fixed(9_999_999_999_999), 'USD');
  assert.equal(shares.reduce((a, b) => a + b, 0), 9_999_999_999_999);
  shares.forEach((s, i) => assert.ok(s <= big[i]!));
});

test('fixed coupon in another currency does not apply', () => {
  assert.deepEqual(allocateDiscount([3000, 1000], fixed(1000, 'EUR'), 'USD'), [0, 0]);
});

test('malformed coupons are typed errors', () => {
  const broken: CouponInfo = { ...pct('10'), percent: null };
  assert.throws(() => allocateDiscount([100], broken, 'USD'), (e: unknown) => e instanceof BillflowError && e.code === 'invalid_coupon');
  assert.throws(() => allocateDiscount([100], pct('ten'), 'USD'), (e: unknown) => e instanceof BillflowError && e.code === 'invalid_decimal');
});
