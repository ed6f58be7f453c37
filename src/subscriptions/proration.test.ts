import { test } from 'node:test';
import assert from 'node:assert/strict';
import { billingWindow, daysBetween } from '../billing/calendar.ts';
import { roundHalfEven } from '../money/rounding.ts';
import { activeInterval, prorateMinor, trialEndsOn } from './proration.ts';

const NOV = { start: '2026-11-01', end: '2026-12-01' }; // 30 days
const DEC = { start: '2026-12-01', end: '2027-01-01' }; // 31 days

function sub(startedOn: string, endedOn: string | null = null, trial: string | null = null) {
  return { startedOn, trialEndsOn: trial, endedOn };
}

test('activeInterval: whole window, late start, early end, outside, same-day cancel', () => {
  assert.deepEqual(activeInterval(NOV, sub('2026-01-10')), { start: '2026-11-01', end: '2026-12-01', days: 30 });
  assert.deepEqual(activeInterval(NOV, sub('2026-11-10')), { start: '2026-11-10', end: '2026-12-01', days: 21 });
  assert.deepEqual(activeInterval(NOV, sub('2026-01-10', '2026-11-11')), { start: '2026-11-01', end: '2026-11-11', days: 10 });
  assert.deepEqual(activeInterval(NOV, sub('2026-11-10', '2026-11-11')), { start: '2026-11-10', end: '2026-11-11', days: 1 });
  assert.equal(activeInterval(NOV, sub('2026-12-01')), null, 'starts on the (exclusive) window end');
  assert.equal(activeInterval(NOV, sub('2026-01-10', '2026-11-01')), null, 'ended on the window start');
  assert.equal(activeInterval(NOV, sub('2026-11-10', '2026-11-10')), null, 'canceled the day it started');
  // An end date after the window is cut at the window end.
  assert.deepEqual(activeInterval(NOV, sub('2026-11-20', '2027-03-01')), { start: '2026-11-20', end: '2026-12-01', days: 11 });
});

test('activeInterval: trials are not paid days', () => {
  const trial = trialEndsOn('2026-11-05', 14);
  assert.equal(trial, '2026-11-19');
  assert.deepEqual(activeInterval(NOV, sub('2026-11-05', null, trial)), { start: '2026-11-19', end: '2026-12-01', days: 12 });
  // Trial covering the whole window → nothing to bill; a trial that ended earlier changes nothing.
  assert.equal(activeInterval(NOV, sub('2026-10-20', null, '2026-12-03')), null);
  assert.deepEqual(activeInterval(NOV, sub('2026-09-01', null, '2026-09-15'))?.days, 30);
  // Canceled during the trial → never billed.
  assert.equal(activeInterval(NOV, sub('2026-11-05', '2026-11-12', trial)), null);
});

test('trialEndsOn', () => {
  assert.equal(trialEndsOn('2026-11-05', 0), null);
  assert.equal(trialEndsOn('2026-12-25', 14), '2027-01-08');
  assert.equal(trialEndsOn('2024-02-20', 10), '2024-03-01');
  assert.throws(() => trialEndsOn('2026-11-31', 0));
  assert.throws(() => trialEndsOn('2026-11-05', -1), /assertion failed/);
});

test('prorateMinor: full window is exact, empty is zero, otherwise half-even once', () => {
  assert.equal(prorateMinor(999_999, 31, 31), 999_999);
  assert.equal(prorateMinor(999_999, 0, 31), 0);
  assert.equal(prorateMinor(3000, 10, 30), 1000);
  assert.equal(prorateMinor(1000, 1, 3), 333); // 333.33…
  assert.equal(prorateMinor(2000, 1, 3), 667); // 666.66…
  assert.equal(prorateMinor(3001, 15, 30), 1500); // 1500.5 → even neighbour 1500
  assert.equal(prorateMinor(3003, 15, 30), 1502); // 1501.5 → even neighbour 1502
  assert.equal(prorateMinor(-3001, 15, 30), -1500); // credits round symmetrically
  // JPY (exponent 0) and KWD (exponent 3): the arithmetic is the same on minor units.
  assert.equal(prorateMinor(1_000, 7, 28), 250); // ¥1,000 for 7 of 28 February days
  assert.equal(prorateMinor(12_345, 10, 31), 3982); // KWD 12.345 × 10/31 = 3.98225… → 3.982
  assert.throws(() => prorateMinor(100, 32, 31), /assertion failed/);
  assert.throws(() => prorateMinor(100.5, 1, 31), /assertion failed/);
});

test('prorateMinor stays exact beyond 2^53 products (BigInt path)', () => {
  const amount = Number.MAX_SAFE_INTEGER - 10; // product × 30 leaves the safe range
  const expected = Number(roundHalfEven(BigInt(amount) * 17n, 30n));
  assert.equal(prorateMinor(amount, 17, 30), expected);
});

test('plan change on day 16 of a 30-day window: 30.00 → 60.00 gives 15.00 + 30.00', () => {
  // Modelled as two subscriptions: the old one ends on the change day (exclusive), the new one
  // starts that same day. Day 16 is 2026-11-16: 15 days on the old plan, 15 on the new.
  const change = '2026-11-16';
  const oldPlan = activeInterval(NOV, sub('2026-06-01', change));
  const newPlan = activeInterval(NOV, sub(change));
  assert.ok(oldPlan && newPlan);
  const windowDays = daysBetween(NOV.start, NOV.end);
  assert.equal(windowDays, 30);
  assert.equal(oldPlan.days + newPlan.days, windowDays, 'no day lost or counted twice');
  assert.equal(prorateMinor(3000, oldPlan.days, windowDays), 1500);
  assert.equal(prorateMinor(6000, newPlan.days, windowDays), 3000);
});

test('plan change on day 16 of a 31-day window: each line rounds on its own', () => {
  const change = '2026-12-16';
  const oldPlan = activeInterval(DEC, sub('2026-06-01', change));
  const newPlan = activeInterval(DEC, sub(change));
  assert.ok(oldPlan && newPlan);
  assert.deepEqual([oldPlan.days, newPlan.days], [15, 16]);
  // 3000 × 15/31 = 1451.61… → 1452; 6000 × 16/31 = 3096.77… → 3097; total 45.49.
  assert.equal(prorateMinor(3000, 15, 31), 1452);
  assert.equal(prorateMinor(6000, 16, 31), 3097);
  // Splitting one price over a 31-day month still sums to the price: the two fractional parts
  // add up to one whole unit, and an odd window can never produce a tie.
  assert.equal(prorateMinor(3000, 15, 31) + prorateMinor(3000, 16, 31), 3000);
  // With an even window both halves can tie and both round to even: 30.01 split 15/15 bills
  // 15.00 + 15.00. Rounding per line is the rule; the unit is not redistributed.
  assert.equal(prorateMinor(3001, 15, 30) + prorateMinor(3001, 15, 30), 3000);
});

test('anchored window across February: anchor 31 gives a 28-day window then a 31-day one', () => {
  const feb = billingWindow('2026-02', 31);
  assert.deepEqual(feb, { start: '2026-02-28', end: '2026-03-31' });
  assert.equal(daysBetween(feb.start, feb.end), 31);
  const jan = billingWindow('2026-01', 31);
  assert.equal(daysBetween(jan.start, jan.end), 28);
  const started = activeInterval(jan, sub('2026-02-14'));
  assert.equal(started?.days, 14);
  assert.equal(prorateMinor(2800, started?.days ?? 0, 28), 1400);
});
