import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { billingWindow } from '../billing/calendar.ts';
import { createPlan, createProduct } from '../catalog/index.ts';
import { expectBillflowError, insertTestCustomer, rowCounts } from '../customers/test-helpers.ts';
import { activeInterval, cancelSubscription, changePlan, createSubscription, getSubscription } from './index.ts';

let tdb: TestDatabase;
const deps = () => ({ db: tdb.pool });
let customerId: number;

before(async () => {
  tdb = await createTestDatabase();
  customerId = await insertTestCustomer(tdb.pool);
  await createProduct(deps(), { id: 'seat', name: 'Seat' });
  await createPlan(deps(), { id: 'basic', name: 'Basic', trialDays: 14, charges: [{ id: 'basic-fee', productId: 'seat', chargeModel: 'flat', prices: { INR: { amount: 49900 } } }] });
  await createPlan(deps(), { id: 'pro', name: 'Pro', charges: [{ id: 'pro-fee', productId: 'seat', chargeModel: 'flat', prices: { INR: { amount: 99900 } } }] });
});
after(async () => {
  await tdb.drop();
});

describe('createSubscription', () => {
  test("uses the plan's trial by default; trial_ends_on is the first paid day", async () => {
    const s = await createSubscription(deps(), { customerId, planId: 'basic', startedOn: '2026-11-05' });
    assert.equal(s.trialEndsOn, '2026-11-19');
    assert.equal(s.endedOn, null);
    assert.deepEqual(await getSubscription(tdb.pool, s.id), s);
    const noTrial = await createSubscription(deps(), { customerId, planId: 'basic', startedOn: '2026-11-05', trialDays: 0 });
    assert.equal(noTrial.trialEndsOn, null);
  });

  const bad: [string, Record<string, unknown>, string, string, number][] = [
    ['impossible date', { startedOn: '2026-02-30' }, 'startedOn', 'invalid_input', 400],
    ['malformed date', { startedOn: '05-11-2026' }, 'startedOn', 'invalid_input', 400],
    ['timestamp instead of date', { startedOn: '2026-11-05T00:00:00Z' }, 'startedOn', 'invalid_input', 400],
    ['missing plan', { planId: undefined }, 'planId', 'invalid_input', 400],
    ['customer id as string', { customerId: String(1) }, 'customerId', 'invalid_input', 400],
    ['negative trial', { trialDays: -1 }, 'trialDays', 'invalid_input', 400],
    ['fractional trial', { trialDays: 1.5 }, 'trialDays', 'invalid_input', 400],
    ['unknown field', { quantity: 2 }, 'quantity', 'invalid_input', 400],
    ['unknown customer', { customerId: 999999 }, 'customerId', 'customer_not_found', 404],
    ['unknown plan', { planId: 'gold' }, 'planId', 'plan_not_found', 404],
  ];
  for (const [name, change, field, code, httpStatus] of bad) {
    test(`rejects ${name} naming ${field}, writing nothing`, async () => {
      const before = await rowCounts(tdb.pool, ['subscriptions']);
      const input = { customerId, planId: 'basic', startedOn: '2026-11-05', ...change };
      await expectBillflowError(() => createSubscription(deps(), input as never), { code, httpStatus, field });
      assert.deepEqual(await rowCounts(tdb.pool, ['subscriptions']), before);
    });
  }

  test('a closed customer cannot subscribe (409)', async () => {
    const closed = await insertTestCustomer(tdb.pool);
    await tdb.pool.query(`update customers set status = 'closed' where id = $1`, [closed]);
    await expectBillflowError(() => createSubscription(deps(), { customerId: closed, planId: 'pro', startedOn: '2026-11-01' }), {
      code: 'conflict', httpStatus: 409, field: 'customerId',
    });
  });
});

describe('cancelSubscription', () => {
  test('sets ended_on; ending twice is a 409; before the start is invalid', async () => {
    const s = await createSubscription(deps(), { customerId, planId: 'pro', startedOn: '2026-11-10' });
    await expectBillflowError(() => cancelSubscription(deps(), { subscriptionId: s.id, endsOn: '2026-11-09' }), {
      code: 'invalid_input', httpStatus: 400, field: 'endsOn',
    });
    await expectBillflowError(() => cancelSubscription(deps(), { subscriptionId: s.id, endsOn: '2026-11-31' }), {
      code: 'invalid_input', httpStatus: 400, field: 'endsOn',
    });
    assert.equal((await getSubscription(tdb.pool, s.id)).endedOn, null);
    const ended = await cancelSubscription(deps(), { subscriptionId: s.id, endsOn: '2026-12-01' });
    assert.equal(ended.endedOn, '2026-12-01');
    await expectBillflowError(() => cancelSubscription(deps(), { subscriptionId: s.id, endsOn: '2026-12-05' }), {
      code: 'conflict', httpStatus: 409, field: 'subscriptionId',
    });
    assert.equal((await getSubscription(tdb.pool, s.id)).endedOn, '2026-12-01');
    await expectBillflowError(() => cancelSubscription(deps(), { subscriptionId: 999999, endsOn: '2026-12-05' }), {
      code: 'subscription_not_found', httpStatus: 404, field: 'subscriptionId',
    });
  });
});

describe('changePlan', () => {
  test('ends the old and starts the new on the same day; the two intervals split the month', async () => {
    const s = await createSubscription(deps(), { customerId, planId: 'pro', startedOn: '2026-10-01' });
    const { ended, started } = await changePlan(deps(), { subscriptionId: s.id, newPlanId: 'basic', on: '2026-11-11' });
    assert.equal(ended.endedOn, '2026-11-11');
    assert.deepEqual([started.planId, started.startedOn, started.previousId, started.trialEndsOn], ['basic', '2026-11-11', s.id, null]);
    const window = billingWindow('2026-11', 1);
    assert.equal(activeInterval(window, ended)?.days, 10);
    assert.equal(activeInterval(window, started)?.days, 20);
  });

  test('concurrent changes of one subscription: one wins, the rest are 409', async () => {
    const s = await createSubscription(deps(), { customerId, planId: 'pro', startedOn: '2026-11-01' });
    const results = await Promise.allSettled(['2026-11-03', '2026-11-04', '2026-11-05'].map((on) => changePlan(deps(), { subscriptionId: s.id, newPlanId: 'basic', on })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'conflict');
    const { rows } = await tdb.pool.query('select count(*)::int as n from subscriptions where previous_id = $1', [s.id]);
    assert.equal(rows[0].n, 1);
  });

  test('a trial in progress carries over', async () => {
    const s = await createSubscription(deps(), { customerId, planId: 'basic', startedOn: '2026-11-05' });
    const { started } = await changePlan(deps(), { subscriptionId: s.id, newPlanId: 'pro', on: '2026-11-10' });
    assert.equal(started.trialEndsOn, '2026-11-19');
  });

  test('bad changes write nothing', async () => {
    const s = await createSubscription(deps(), { customerId, planId: 'pro', startedOn: '2026-11-10' });
    const before = await rowCounts(tdb.pool, ['subscriptions']);
    const cases: [Record<string, unknown>, string, string, number][] = [
      [{ newPlanId: 'gold' }, 'newPlanId', 'plan_not_found', 404],
      [{ newPlanId: 'pro' }, 'newPlanId', 'invalid_input', 400],
      [{ on: '2026-11-09' }, 'on', 'invalid_input', 400],
      [{ on: '2026-13-01' }, 'on', 'invalid_input', 400],
      [{ subscriptionId: 999999 }, 'subscriptionId', 'subscription_not_found', 404],
      [{ subscriptionId: -3 }, 'subscriptionId', 'invalid_input', 400],
      [{ planId: 'basic' }, 'planId', 'invalid_input', 400],
    ];
    for (const [change, field, code, httpStatus] of cases) {
      const input = { subscriptionId: s.id, newPlanId: 'basic', on: '2026-11-15', ...change };
      await expectBillflowError(() => changePlan(deps(), input as never), { code, httpStatus, field });
    }
    assert.deepEqual(await rowCounts(tdb.pool, ['subscriptions']), before);
    assert.equal((await getSubscription(tdb.pool, s.id)).endedOn, null);
    await changePlan(deps(), { subscriptionId: s.id, newPlanId: 'basic', on: '2026-11-15' });
    await expectBillflowError(() => changePlan(deps(), { subscriptionId: s.id, newPlanId: 'basic', on: '2026-11-20' }), {
      code: 'conflict', httpStatus: 409, field: 'subscriptionId',
    });
  });
});
