import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installmentSchema, loanSchema, subscriptionSchema } from '../../src/server/schemas.ts';
import { createCustomerViaApi, startTestApi, type TestApi } from './support.ts';

describe('subscriptions, usage, loans and charges over HTTP', () => {
  let api: TestApi;
  let customerId: number;
  before(async () => {
    api = await startTestApi();
    customerId = await createCustomerViaApi(api, 'data@example.com');
    await api.request('POST', '/api/v1/products', { body: { id: 'seat', name: 'Seat' } });
    await api.request('POST', '/api/v1/metrics', { body: { code: 'api_calls', name: 'API calls', aggregation: 'sum' } });
    for (const id of ['basic', 'pro']) {
      const plan = await api.request('POST', '/api/v1/plans', { body: { id, name: id, charges: [{ id: `${id}-fee`, productId: 'seat', chargeModel: 'flat', prices: { INR: { amount: 10000 } } }] } });
      assert.equal(plan.status, 201, plan.text);
    }
  });
  after(async () => {
    await api.close();
  });

  it('starts, changes and cancels a subscription', async () => {
    const sub = await api.request('POST', '/api/v1/subscriptions', { body: { customerId, planId: 'basic', startedOn: '2026-11-01' } });
    assert.equal(sub.status, 201, sub.text);
    subscriptionSchema.parse(sub.json);
    const changed = await api.request('POST', `/api/v1/subscriptions/${sub.json.id}/change-plan`, { body: { newPlanId: 'pro', on: '2026-11-15' } });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.json.ended.endedOn, changed.json.started.planId, changed.json.started.previousId], ['2026-11-15', 'pro', sub.json.id]);
    const canceled = await api.request('POST', `/api/v1/subscriptions/${changed.json.started.id}/cancel`, { body: { endsOn: '2026-12-01' } });
    assert.equal(canceled.status, 200);
    assert.equal(canceled.json.endedOn, '2026-12-01');
    assert.equal((await api.request('GET', `/api/v1/subscriptions/${sub.json.id}`)).json.endedOn, '2026-11-15');
    // 409: it has already ended; 404: unknown; 400: bad date.
    assert.equal((await api.request('POST', `/api/v1/subscriptions/${sub.json.id}/cancel`, { body: { endsOn: '2026-12-01' } })).status, 409);
    assert.equal((await api.request('POST', '/api/v1/subscriptions/99999/cancel', { body: { endsOn: '2026-12-01' } })).status, 404);
    assert.equal((await api.request('POST', '/api/v1/subscriptions', { body: { customerId, planId: 'nope', startedOn: '2026-11-01' } })).status, 404);
    const date = await api.request('POST', '/api/v1/subscriptions', { body: { customerId, planId: 'basic', startedOn: '2026-02-30' } });
    assert.equal(date.status, 400);
    assert.equal(date.json.details[0].field, 'startedOn');
  });

  it('records usage in batches; a retried batch counts its events once', async () => {
    const events = [1, 2, 3].map((i) => ({ customerId, metricCode: 'api_calls', occurredAt: `2026-11-0${i}T10:00:00Z`, value: 100 * i, transactionId: `t-${i}` }));
    const first = await api.request('POST', '/api/v1/usage', { body: { events } });
    assert.deepEqual([first.status, first.json], [200, { accepted: 3, duplicates: 0 }]);
    const again = await api.request('POST', '/api/v1/usage', { body: { events } });
    assert.deepEqual(again.json, { accepted: 0, duplicates: 3 });
    const negative = await api.request('POST', '/api/v1/usage', { body: { events: [{ ...events[0], value: -5 }] } });
    assert.equal(negative.status, 400);
    assert.equal(negative.json.details[0].field, 'events[0].value');
    const unknown = await api.request('POST', '/api/v1/usage', { body: { events: [{ ...events[0], metricCode: 'nope', transactionId: 'x' }] } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.details[0].field, 'events[0].metricCode');
  });

  it('creates a loan and its EMI schedule', async () => {
    const loan = await api.request('POST', '/api/v1/loans', {
      body: { customerId, currency: 'INR', principalMinor: 12000000, annualRate: '12', tenureMonths: 12, firstDueOn: '2026-12-05' },
    });
    assert.equal(loan.status, 201, loan.text);
    loanSchema.parse(loan.json);
    const schedule = await api.request('GET', `/api/v1/loans/${loan.json.id}/schedule`);
    assert.equal(schedule.json.installments.length, 12);
    installmentSchema.parse(schedule.json.installments[0]);
    assert.equal(schedule.json.installments[11].closingMinor, 0);
    assert.equal((await api.request('GET', `/api/v1/loans/${loan.json.id}`)).json.emiMinor, loan.json.emiMinor);
    const currency = await api.request('POST', '/api/v1/loans', {
      body: { customerId, currency: 'USD', principalMinor: 1000, annualRate: '12', tenureMonths: 12, firstDueOn: '2026-12-05' },
    });
    assert.equal(currency.status, 400);
    assert.equal(currency.json.details[0].field, 'currency');
    assert.equal((await api.request('GET', '/api/v1/loans/99999/schedule')).status, 404);
  });

  it('adds one-off charges; refunds need a payment of the customer', async () => {
    const charges = await api.request('POST', '/api/v1/charges', {
      body: { customerId, items: [{ productId: 'AD234', productName: 'T-Shirt', quantity: 2, price: 89900 }] },
    });
    assert.equal(charges.status, 201, charges.text);
    assert.deepEqual([charges.json.currency, charges.json.chargedOn, charges.json.charges.length], ['INR', '2026-11-22', 1]);
    const negative = await api.request('POST', '/api/v1/charges', { body: { customerId, items: [{ productId: 'A', productName: 'A', quantity: 0, price: 1 }] } });
    assert.equal(negative.status, 400);
    assert.equal(negative.json.details[0].field, 'items[0].quantity');
    const refund = await api.request('POST', '/api/v1/refunds', { body: { customerId, originalPaymentId: 77, amountMinor: 100, reason: 'Damaged' } });
    assert.equal(refund.status, 404);
    const payment = (await api.db.pool.query(`insert into payments (customer_id, currency, amount_minor) values ($1, 'INR', 5000) returning id`, [customerId])).rows[0].id;
    const ok = await api.request('POST', '/api/v1/refunds', { body: { customerId, originalPaymentId: payment, amountMinor: 3000, reason: 'Damaged' } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.kind, 'refund');
    const tooMuch = await api.request('POST', '/api/v1/refunds', { body: { customerId, originalPaymentId: payment, amountMinor: 3000, reason: 'Again' } });
    assert.equal(tooMuch.status, 409);
  });

  it('starts, cancels and resumes a run (no worker threads here, so it waits in the queue)', async () => {
    const started = await api.request('POST', '/api/v1/billing-runs', { body: { period: '2026-11' } });
    assert.equal(started.status, 202, started.text);
    const status = await api.request('GET', started.json.statusUrl);
    assert.deepEqual([status.json.status, status.json.shards.pending], ['running', started.json.shards]);
    const canceled = await api.request('POST', `/api/v1/billing-runs/${started.json.runId}/cancel`);
    assert.deepEqual([canceled.status, canceled.json.canceledShards], [200, started.json.shards]);
    assert.equal((await api.request('GET', started.json.statusUrl)).json.status, 'canceled');
    assert.equal((await api.request('POST', `/api/v1/billing-runs/${started.json.runId}/cancel`)).status, 409);
    const resumed = await api.request('POST', `/api/v1/billing-runs/${started.json.runId}/resume`);
    assert.deepEqual([resumed.status, resumed.json.requeued], [202, started.json.shards]);
    assert.equal((await api.request('GET', started.json.statusUrl)).json.status, 'running');
    assert.equal((await api.request('POST', '/api/v1/billing-runs', { key: api.keys.write, body: { period: '2026-11' } })).status, 403);
  });
});
