import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import {
  addDays,
  addMonthsClamped,
  billingWindow,
  daysBetween,
  daysInMonth,
  fromDayNumber,
  isIsoDate,
  nextPeriod,
  parsePeriod,
  periodOf,
  previousPeriod,
  toDayNumber,
  windowStart,
} from './calendar.ts';

const DAY_MS = 86_400_000;

test('day numbers agree with Date.UTC on every day from 1900 to 2200', () => {
  // Date is the independent oracle here; calendar.ts itself never constructs one.
  for (let ms = Date.UTC(1900, 0, 1); ms <= Date.UTC(2200, 11, 31); ms += DAY_MS) {
    const iso = new Date(ms).toISOString().slice(0, 10);
    const n = ms / DAY_MS;
    assert.equal(toDayNumber(iso), n, iso);
    assert.equal(fromDayNumber(n), iso, String(n));
  }
});

test('day numbers at the edges of four-digit years', () => {
  assert.equal(toDayNumber('1970-01-01'), 0);
  assert.equal(toDayNumber('0001-01-01'), -719162);
  assert.equal(toDayNumber('9999-12-31'), 2932896);
  assert.equal(fromDayNumber(-719162), '0001-01-01');
  assert.equal(fromDayNumber(2932896), '9999-12-31');
  assert.throws(() => fromDayNumber(2932897), /assertion failed/);
  assert.throws(() => fromDayNumber(1.5), /assertion failed/);
});

test('isIsoDate is strict', () => {
  for (const ok of ['2026-01-31', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31']) {
    assert.equal(isIsoDate(ok), true, ok);
  }
  const bad = [
    '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00',
    '2026-1-01', '2026-01-1', '20260101', '2026/01/01', '2026-01-01T00:00:00Z', ' 2026-01-01',
    '0000-01-01', '2026-0a-01', '', 20260101, null, undefined,
  ];
  for (const value of bad) assert.equal(isIsoDate(value), false, String(value));
});

test('toDayNumber throws a typed invalid_date error', () => {
  assert.throws(
    () => toDayNumber('2026-02-30'),
    (err: unknown) =>
      err instanceof BillflowError &&
      err.code === 'invalid_date' &&
      err.details[0]?.field === 'date' &&
      err.message.includes("'2026-02-30'"),
  );
});

test('daysInMonth', () => {
  assert.equal(daysInMonth(2026, 2), 28);
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(daysInMonth(2100, 2), 28);
  assert.equal(daysInMonth(2026, 1), 31);
  assert.equal(daysInMonth(2026, 4), 30);
  assert.equal(daysInMonth(2026, 12), 31);
  assert.throws(() => daysInMonth(2026, 13), /assertion failed/);
  assert.throws(() => daysInMonth(2026, 0), /assertion failed/);
});

test('daysBetween and addDays', () => {
  assert.equal(daysBetween('2026-01-01', '2026-02-01'), 31);
  assert.equal(daysBetween('2026-02-01', '2026-01-01'), -31);
  assert.equal(daysBetween('2024-02-01', '2024-03-01'), 29);
  assert.equal(daysBetween('2026-11-05', '2026-11-05'), 0);
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(addDays('2026-01-15', 0), '2026-01-15');
  assert.equal(addDays('2026-01-15', 365), '2027-01-15');
  assert.throws(() => addDays('2026-01-15', 0.5), /assertion failed/);
});

test('addMonthsClamped clamps to the month end and never drifts', () => {
  assert.equal(addMonthsClamped('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonthsClamped('2024-01-31', 1), '2024-02-29');
  assert.equal(addMonthsClamped('2026-01-31', 2), '2026-03-31');
  assert.equal(addMonthsClamped('2026-01-31', 3), '2026-04-30');
  assert.equal(addMonthsClamped('2026-03-31', -1), '2026-02-28');
  assert.equal(addMonthsClamped('2026-11-15', 2), '2027-01-15');
  assert.equal(addMonthsClamped('2026-01-15', -13), '2024-12-15');
  assert.equal(addMonthsClamped('2026-05-10', 0), '2026-05-10');
  assert.equal(addMonthsClamped('2024-02-29', 12), '2025-02-28');
  assert.equal(addMonthsClamped('2024-02-29', 48), '2028-02-29');
  assert.throws(() => addMonthsClamped('2026-02-31', 1), BillflowError);
});

test('parsePeriod accepts YYYY-MM within 1970–9999 only', () => {
  assert.deepEqual(parsePeriod('2026-11'), { year: 2026, month: 11 });
  assert.deepEqual(parsePeriod('1970-01'), { year: 1970, month: 1 });
  assert.deepEqual(parsePeriod('9999-12'), { year: 9999, month: 12 });
  for (const bad of ['2026-13', '2026-00', '1969-12', '2026-1', '2026/11', '202611', '2026-11-01', '', 'abcd-ef', '2026-1a']) {
    assert.throws(
      () => parsePeriod(bad),
      (err: unknown) =>
        err instanceof BillflowError &&
        err.code === 'invalid_period' &&
        err.message === `period: expected YYYY-MM (e.g. 2026-11), got '${bad}'` &&
        err.details[0]?.field === 'period',
      bad,
    );
  }
});

test('nextPeriod, previousPeriod, periodOf', () => {
  assert.equal(nextPeriod('2026-11'), '2026-12');
  assert.equal(nextPeriod('2026-12'), '2027-01');
  assert.equal(previousPeriod('2027-01'), '2026-12');
  assert.equal(previousPeriod('2026-10'), '2026-09');
  assert.throws(() => nextPeriod('9999-12'), /invalid_period|period:/);
  assert.throws(() => previousPeriod('1970-01'), BillflowError);
  assert.equal(periodOf('2026-11-05'), '2026-11');
  assert.throws(() => periodOf('2026-11-31'), BillflowError);
  assert.throws(() => periodOf('1969-12-31'), BillflowError);
});

test('windowStart clamps the anchor to the month end (as SQL billflow_window_start)', () => {
  assert.equal(windowStart('2026-11', 1), '2026-11-01');
  assert.equal(windowStart('2026-11', 15), '2026-11-15');
  assert.equal(windowStart('2026-11', 31), '2026-11-30');
  assert.equal(windowStart('2026-02', 31), '2026-02-28');
  assert.equal(windowStart('2024-02', 30), '2024-02-29');
  assert.equal(windowStart('9999-12', 31), '9999-12-31');
  for (const bad of [0, 32, 1.5, Number.NaN]) {
    assert.throws(
      () => windowStart('2026-11', bad),
      (err: unknown) => err instanceof BillflowError && err.details[0]?.field === 'anchorDay',
    );
  }
});

test('billingWindow: anchor 31 across February comes back to the 31st', () => {
  assert.deepEqual(billingWindow('2026-01', 31), { start: '2026-01-31', end: '2026-02-28' });
  assert.deepEqual(billingWindow('2026-02', 31), { start: '2026-02-28', end: '2026-03-31' });
  assert.deepEqual(billingWindow('2026-03', 31), { start: '2026-03-31', end: '2026-04-30' });
  assert.deepEqual(billingWindow('2026-12', 1), { start: '2026-12-01', end: '2027-01-01' });
  assert.deepEqual(billingWindow('2024-02', 29), { start: '2024-02-29', end: '2024-03-29' });
  // Consecutive windows tile time with no gap and no overlap.
  let period = '2025-01';
  for (let i = 0; i < 36; i++) {
    const next = nextPeriod(period);
    for (let anchor = 1; anchor <= 31; anchor++) {
      assert.equal(billingWindow(period, anchor).end, billingWindow(next, anchor).start);
    }
    period = next;
  }
});

test('billingWindow results are cached and frozen', () => {
  const a = billingWindow('2026-05', 10);
  assert.equal(billingWindow('2026-05', 10), a);
  assert.equal(Object.isFrozen(a), true);
  assert.throws(() => billingWindow('2026-5', 10), BillflowError);
  assert.throws(() => billingWindow('2026-05', 0), BillflowError);
});
