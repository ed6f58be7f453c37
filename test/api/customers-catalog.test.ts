import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { customerSchema, planSchema } from '../../src/server/schemas.ts';
import { startTestApi, type TestApi } from './support.ts';

const asha = { name: 'Asha Rao', email: 'Asha@Example.com', currency: 'inr', country: 'in', taxRegion: 'IN-KA', legalEntityId: 'in' };

describe('customers and catalog over HTTP', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('creates, gets, lists and updates customers', async () => {
    const created = await api.request('POST', '/api/v1/customers', { body: asha });
    assert.equal(created.status, 201, created.text);
    customerSchema.parse(created.json);
    assert.deepEqual([created.json.email, created.json.currency, created.json.country], ['asha@example.com', 'INR', 'IN']);
    const got = await api.request('GET', `/api/v1/customers/${created.json.id}`);
    assert.deepEqual(got.json, created.json);
    for (let i = 0; i < 3; i++) await api.request('POST', '/api/v1/customers', { body: { ...asha, email: `c${i}@example.com` } });
    const page1 = await api.request('GET', '/api/v1/customers?limit=2');
    assert.equal(page1.json.customers.length, 2);
    const page2 = await api.request('GET', `/api/v1/customers?limit=2&after=${page1.json.nextAfter}`);
    assert.equal(page2.json.customers.length, 2);
    assert.equal(page2.json.nextAfter, page2.json.customers[1].id);
    const page3 = await api.request('GET', `/api/v1/customers?limit=2&after=${page2.json.nextAfter}`);
    assert.deepEqual(page3.json, { customers: [], nextAfter: null });
    const patched = await api.request('PATCH', `/api/v1/customers/${created.json.id}`, { body: { taxRegion: 'IN-MH', phone: '+919812345678', segment: null } });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual([patched.json.taxRegion, patched.json.phone, patched.json.name], ['IN-MH', '+919812345678', 'Asha Rao']);
  });

  it('answers 400 naming fields, 404 for unknown ids, 409 for duplicates', async () => {
    const bad = await api.request('POST', '/api/v1/customers', { body: { ...asha, email: 'not-an-email', currency: 'ABC', billingAnchorDay: 40 } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.details.map((d: { field: string }) => d.field).sort(), ['billingAnchorDay', 'currency', 'email']);
    const region = await api.request('POST', '/api/v1/customers', { body: { ...asha, email: 'r@example.com', taxRegion: 'XX-99' } });
    assert.equal(region.status, 400);
    assert.equal(region.json.details[0].field, 'taxRegion');
    assert.equal((await api.request('GET', '/api/v1/customers/424242')).status, 404);
    assert.equal((await api.request('PATCH', '/api/v1/customers/424242', { body: { name: 'X' } })).status, 404);
    assert.equal((await api.request('GET', '/api/v1/customers/0')).status, 400);
    assert.equal((await api.request('GET', '/api/v1/customers?limit=5000')).status, 400);
    const duplicate = await api.request('POST', '/api/v1/customers', { body: asha });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.json.details[0].field, 'email');
    assert.equal((await api.request('PATCH', '/api/v1/customers/1', { body: { email: 'c0@example.com' } })).status, 409);
    assert.equal((await api.request('PATCH', '/api/v1/customers/1', { body: { id: 9 } })).status, 400);
  });

  it('creates products, metrics, plans with prices, and coupons', async () => {
    assert.equal((await api.request('POST', '/api/v1/products', { body: { id: 'seat', name: 'Seat' } })).status, 201);
    assert.equal((await api.request('POST', '/api/v1/products', { body: { id: 'calls', name: 'API calls' } })).status, 201);
    assert.equal((await api.request('POST', '/api/v1/metrics', { body: { code: 'api_calls', name: 'API calls', aggregation: 'sum' } })).status, 201);
    const plan = await api.request('POST', '/api/v1/plans', {
      body: {
        id: 'pro', name: 'Pro', trialDays: 14,
        charges: [
          { id: 'pro-seat', productId: 'seat', chargeModel: 'flat', prices: { INR: { amount: 99900 }, usd: { amount: 1900 } } },
          { id: 'pro-calls', productId: 'calls', metricCode: 'api_calls', chargeModel: 'graduated', prices: { INR: { tiers: [{ upTo: 1000, unitAmount: 0 }, { upTo: null, unitAmount: 0.5 }] } } },
        ],
      },
    });
    assert.equal(plan.status, 201, plan.text);
    planSchema.parse(plan.json);
    const prices = await api.request('GET', '/api/v1/plans/pro/prices');
    assert.deepEqual(prices.json.prices.map((p: { chargeId: string; currency: string }) => `${p.chargeId}:${p.currency}`).sort(), ['pro-calls:INR', 'pro-seat:INR', 'pro-seat:USD']);
    assert.equal((await api.request('GET', '/api/v1/plans/pro')).json.trialDays, 14);
    assert.deepEqual((await api.request('GET', '/api/v1/plans')).json.plans.map((p: { id: string }) => p.id), ['pro']);
    assert.deepEqual((await api.request('GET', '/api/v1/products?limit=1')).json, { products: [{ id: 'calls', name: 'API calls', taxExempt: false }], nextAfter: 'calls' });
    assert.deepEqual((await api.request('GET', '/api/v1/products/seat')).json, { id: 'seat', name: 'Seat', taxExempt: false });
    assert.equal((await api.request('GET', '/api/v1/metrics')).json.metrics[0].code, 'api_calls');
    assert.equal((await api.request('POST', '/api/v1/coupons', { body: { id: 'TEN', name: '10%', kind: 'percentage', percent: '10' } })).status, 201);
    const applied = await api.request('POST', '/api/v1/customers/1/coupons', { body: { couponId: 'TEN', appliedFrom: '2026-11-01' } });
    assert.deepEqual([applied.status, applied.json], [201, { customerId: 1, couponId: 'TEN', appliedFrom: '2026-11-01' }]);
  });

  it('refuses bad catalog input: 400, 404 for missing references, 409 for taken ids', async () => {
    const tiers = await api.request('POST', '/api/v1/plans', {
      body: { id: 'bad', name: 'Bad', charges: [{ id: 'b1', productId: 'seat', chargeModel: 'volume', prices: { INR: { tiers: [{ upTo: 10, unitAmount: 1 }] } } }] },
    });
    assert.equal(tiers.status, 400);
    assert.equal(tiers.json.details[0].field, 'charges[0].prices.INR.tiers[0].upTo');
    const missing = await api.request('POST', '/api/v1/plans', { body: { id: 'ghost', name: 'Ghost', charges: [{ id: 'g1', productId: 'nope', chargeModel: 'flat', prices: { INR: { amount: 1 } } }] } });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.details[0].field, 'charges[0].productId');
    assert.equal((await api.request('POST', '/api/v1/products', { body: { id: 'seat', name: 'Again' } })).status, 409);
    assert.equal((await api.request('POST', '/api/v1/plans', { body: { id: 'pro', name: 'Again', charges: [] } })).status, 409);
    assert.equal((await api.request('GET', '/api/v1/plans/none')).status, 404);
    assert.equal((await api.request('GET', '/api/v1/products/none')).status, 404);
    assert.equal((await api.request('POST', '/api/v1/customers/1/coupons', { body: { couponId: 'TEN', appliedFrom: '2026-11-01' } })).status, 409);
    assert.equal((await api.request('POST', '/api/v1/customers/1/coupons', { body: { couponId: 'NOPE', appliedFrom: '2026-11-01' } })).status, 404);
  });
});
