import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { expectBillflowError, insertTestCustomer, rowCounts } from '../customers/test-helpers.ts';
import { applyCoupon, createCoupon } from './index.ts';

let tdb: TestDatabase;
const deps = () => ({ db: tdb.pool });
let customerId: number;

before(async () => {
  tdb = await createTestDatabase();
  customerId = await insertTestCustomer(tdb.pool);
});
after(async () => {
  await tdb.drop();
});

test('creates percentage and fixed coupons', async () => {
  assert.deepEqual(await createCoupon(deps(), { id: 'WELCOME10', name: 'Welcome', kind: 'percentage', percent: '10', durationPeriods: 3 }), {
    id: 'WELCOME10', name: 'Welcome', kind: 'percentage', percent: '10.0000', amountMinor: null, currency: null, durationPeriods: 3,
  });
  assert.deepEqual(await createCoupon(deps(), { id: 'FLAT500', name: 'Rs 500 off', kind: 'fixed', amountMinor: 50000, currency: 'inr' }), {
    id: 'FLAT500', name: 'Rs 500 off', kind: 'fixed', percent: null, amountMinor: 50000, currency: 'INR', durationPeriods: null,
  });
  await createCoupon(deps(), { id: 'USD5', name: '$5 off', kind: 'fixed', amountMinor: 500, currency: 'USD' });
});

const badCoupons: [string, Record<string, unknown>, string][] = [
  ['unknown kind', { kind: 'bogo' }, 'kind'],
  ['percent 0', { kind: 'percentage', percent: '0' }, 'percent'],
  ['percent 150', { kind: 'percentage', percent: '150' }, 'percent'],
  ['percent as number', { kind: 'percentage', percent: 10 }, 'percent'],
  ['fixed without currency', { kind: 'fixed', amountMinor: 100 }, 'currency'],
  ['fixed unknown currency', { kind: 'fixed', amountMinor: 100, currency: 'XYZ' }, 'currency'],
  ['fixed amount 1.5', { kind: 'fixed', amountMinor: 1.5, currency: 'USD' }, 'amountMinor'],
  ['fixed amount 0', { kind: 'fixed', amountMinor: 0, currency: 'USD' }, 'amountMinor'],
  ['percent on a fixed coupon', { kind: 'fixed', amountMinor: 100, currency: 'USD', percent: '5' }, 'percent'],
  ['duration 0', { kind: 'percentage', percent: '5', durationPeriods: 0 }, 'durationPeriods'],
  ['missing name', { kind: 'percentage', percent: '5', name: undefined }, 'name'],
];
for (const [name, change, field] of badCoupons) {
  test(`createCoupon rejects ${name} naming ${field}`, async () => {
    const before = await rowCounts(tdb.pool, ['coupons']);
    await expectBillflowError(() => createCoupon(deps(), { id: 'BAD', name: 'Bad', ...change } as never), { code: 'invalid_input', httpStatus: 400, field });
    assert.deepEqual(await rowCounts(tdb.pool, ['coupons']), before);
  });
}

test('a duplicate coupon id is a 409', async () => {
  await expectBillflowError(() => createCoupon(deps(), { id: 'WELCOME10', name: 'x', kind: 'percentage', percent: '5' }), { code: 'conflict', httpStatus: 409, field: 'id' });
});

test('applyCoupon: applies once; references, currency and dates are checked', async () => {
  assert.deepEqual(await applyCoupon(deps(), { customerId, couponId: 'WELCOME10', appliedFrom: '2026-11-01' }), {
    customerId, couponId: 'WELCOME10', appliedFrom: '2026-11-01',
  });
  const before = await rowCounts(tdb.pool, ['customer_coupons']);
  const cases: [Record<string, unknown>, string, number, string][] = [
    [{ couponId: 'WELCOME10' }, 'conflict', 409, 'couponId'],
    [{ couponId: 'NOPE' }, 'coupon_not_found', 404, 'couponId'],
    [{ customerId: 999999 }, 'customer_not_found', 404, 'customerId'],
    [{ couponId: 'USD5' }, 'invalid_input', 400, 'couponId'],
    [{ appliedFrom: '2026-02-30' }, 'invalid_input', 400, 'appliedFrom'],
    [{ appliedFrom: '2026/11/01' }, 'invalid_input', 400, 'appliedFrom'],
    [{ customerId: '1' }, 'invalid_input', 400, 'customerId'],
    [{ extra: true }, 'invalid_input', 400, 'extra'],
  ];
  for (const [change, code, httpStatus, field] of cases) {
    const input = { customerId, couponId: 'FLAT500', appliedFrom: '2026-11-01', ...change };
    await expectBillflowError(() => applyCoupon(deps(), input as never), { code, httpStatus, field });
  }
  assert.deepEqual(await rowCounts(tdb.pool, ['customer_coupons']), before);
});
