import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { expectBillflowError, rowCounts } from '../customers/test-helpers.ts';
import { chargeAmountMinor } from './charge-models.ts';
import { createMetric, createPlan, createProduct, getPlan, listPlans, type CreatePlanInput } from './index.ts';

let tdb: TestDatabase;
const deps = () => ({ db: tdb.pool });
const TABLES = ['plans', 'plan_charges', 'plan_charge_prices'];

before(async () => {
  tdb = await createTestDatabase();
  await createProduct(deps(), { id: 'seat', name: 'Seat' });
  await createProduct(deps(), { id: 'api', name: 'API calls' });
  await createMetric(deps(), { code: 'api_calls', name: 'API calls', aggregation: 'sum', unit: 'call' });
  await createMetric(deps(), { code: 'volume', name: 'Payment volume', aggregation: 'sum' });
});
after(async () => {
  await tdb.drop();
});

const tiers = [
  { upTo: 1000, unitAmount: 0 },
  { upTo: 10000, unitAmount: 0.06, flatAmount: 100 },
  { upTo: null, unitAmount: 0.03 },
];

function plan(id: string): CreatePlanInput {
  return {
    id,
    name: `Plan ${id}`,
    trialDays: 14,
    charges: [
      { id: `${id}-base`, productId: 'seat', chargeModel: 'flat', prices: { USD: { amount: 4900 }, inr: { model: 'flat', amount: 399900 } } },
      { id: `${id}-api`, productId: 'api', metricCode: 'api_calls', chargeModel: 'graduated', prices: { USD: { tiers } } },
      { id: `${id}-pkg`, productId: 'api', metricCode: 'api_calls', chargeModel: 'package', prices: { USD: { packageSize: 100, amount: 500 } } },
      { id: `${id}-fee`, productId: 'api', metricCode: 'volume', chargeModel: 'percentage', prices: { USD: { rate: '2.9', fixedAmount: 30 } } },
    ],
  };
}

describe('createPlan', () => {
  test('writes the plan, charges and prices in the ChargeProperties shape', async () => {
    const p = await createPlan(deps(), plan('pro'));
    assert.equal(p.trialDays, 14);
    assert.deepEqual(p.charges.map((c) => [c.id, c.position, c.chargeModel]), [
      ['pro-base', 0, 'flat'],
      ['pro-api', 1, 'graduated'],
      ['pro-pkg', 2, 'package'],
      ['pro-fee', 3, 'percentage'],
    ]);
    assert.deepEqual(p.charges[0]!.prices, { INR: { model: 'flat', amount: 399900 }, USD: { model: 'flat', amount: 4900 } });
    assert.deepEqual(p.charges[2]!.prices.USD, { model: 'package', packageSize: 100, amount: 500, freeUnits: 0 });
    assert.deepEqual(p.charges[3]!.prices.USD, { model: 'percentage', rate: '2.9', fixedAmount: 30, minAmount: null, maxAmount: null });
    // What was stored prices with the owner's charge-models: 1000 free, 9000 × 0.06 + 100, 500 × 0.03.
    assert.equal(chargeAmountMinor(p.charges[1]!.prices.USD!, 10_500).amountMinor, 655);
    assert.deepEqual(await getPlan(tdb.pool, 'pro'), p);
  });

  test('a plan id or charge id already taken is a 409 naming it', async () => {
    await createPlan(deps(), plan('taken'));
    const before = await rowCounts(tdb.pool, TABLES);
    await expectBillflowError(() => createPlan(deps(), plan('taken')), { code: 'conflict', httpStatus: 409, field: 'id' });
    const reused = plan('fresh');
    reused.charges[1]!.id = 'taken-api';
    await expectBillflowError(() => createPlan(deps(), reused), { code: 'conflict', httpStatus: 409, field: 'charges[1].id' });
    assert.deepEqual(await rowCounts(tdb.pool, TABLES), before);
  });

  test('unknown products and metrics are 404s naming the charge field', async () => {
    const before = await rowCounts(tdb.pool, TABLES);
    const p = plan('refs');
    p.charges[1]!.productId = 'nope';
    await expectBillflowError(() => createPlan(deps(), p), { code: 'product_not_found', httpStatus: 404, field: 'charges[1].productId' });
    const m = plan('refs');
    m.charges[1]!.metricCode = 'nope';
    await expectBillflowError(() => createPlan(deps(), m), { code: 'metric_not_found', httpStatus: 404, field: 'charges[1].metricCode' });
    assert.deepEqual(await rowCounts(tdb.pool, TABLES), before);
  });

  type Mutation = (p: { charges: Record<string, unknown>[] } & Record<string, unknown>) => void;
  const price = (i: number) => (p: { charges: Record<string, unknown>[] }) => (p.charges[i]!.prices as Record<string, Record<string, unknown>>).USD!;
  const bad: [string, Mutation, string][] = [
    ['unknown currency', (p) => { p.charges[0]!.prices = { XYZ: { amount: 1 } }; }, 'charges[0].prices.XYZ'],
    ['no prices', (p) => { p.charges[0]!.prices = {}; }, 'charges[0].prices'],
    ['negative flat amount', (p) => { price(0)(p).amount = -1; }, 'charges[0].prices.USD.amount'],
    ['fractional flat amount', (p) => { price(0)(p).amount = 1.5; }, 'charges[0].prices.USD.amount'],
    ['amount as string', (p) => { price(0)(p).amount = '4900'; }, 'charges[0].prices.USD.amount'],
    ['model differing from chargeModel', (p) => { price(0)(p).model = 'per_unit'; }, 'charges[0].prices.USD.model'],
    ['unknown charge model', (p) => { p.charges[0]!.chargeModel = 'stairstep'; }, 'charges[0].chargeModel'],
    ['tiers not ascending', (p) => { price(1)(p).tiers = [{ upTo: 10, unitAmount: 1 }, { upTo: 5, unitAmount: 1 }, { upTo: null, unitAmount: 1 }]; }, 'charges[1].prices.USD.tiers[1].upTo'],
    ['last tier bounded', (p) => { price(1)(p).tiers = [{ upTo: 10, unitAmount: 1 }]; }, 'charges[1].prices.USD.tiers[0].upTo'],
    ['open tier before the last', (p) => { price(1)(p).tiers = [{ upTo: null, unitAmount: 1 }, { upTo: null, unitAmount: 1 }]; }, 'charges[1].prices.USD.tiers[0].upTo'],
    ['negative tier amount', (p) => { price(1)(p).tiers = [{ upTo: null, unitAmount: -0.5 }]; }, 'charges[1].prices.USD.tiers[0].unitAmount'],
    ['empty tiers', (p) => { price(1)(p).tiers = []; }, 'charges[1].prices.USD.tiers'],
    ['too many decimals', (p) => { price(1)(p).tiers = [{ upTo: null, unitAmount: 0.0000001 }]; }, 'charges[1].prices.USD.tiers[0].unitAmount'],
    ['package size 0', (p) => { price(2)(p).packageSize = 0; }, 'charges[2].prices.USD.packageSize'],
    ['percentage rate above 100', (p) => { price(3)(p).rate = '100.5'; }, 'charges[3].prices.USD.rate'],
    ['percentage rate as number', (p) => { price(3)(p).rate = 2.9; }, 'charges[3].prices.USD.rate'],
    ['percentage rate malformed', (p) => { price(3)(p).rate = '2,9'; }, 'charges[3].prices.USD.rate'],
    ['min above max', (p) => { Object.assign(price(3)(p), { minAmount: 500, maxAmount: 100 }); }, 'charges[3].prices.USD.maxAmount'],
    ['percentage without metric', (p) => { p.charges[3]!.metricCode = null; }, 'charges[3].metricCode'],
    ['unknown field in properties', (p) => { price(0)(p).currency = 'USD'; }, 'charges[0].prices.USD.currency'],
    ['unknown field in charge', (p) => { p.charges[0]!.tax = true; }, 'charges[0].tax'],
    ['duplicate charge ids', (p) => { p.charges[1]!.id = p.charges[0]!.id; }, 'charges[1].id'],
    ['missing charge id', (p) => { delete p.charges[0]!.id; }, 'charges[0].id'],
    ['bad charge id', (p) => { p.charges[0]!.id = 'has space'; }, 'charges[0].id'],
    ['oversized plan name', (p) => { p.name = 'n'.repeat(201); }, 'name'],
    ['negative trial', (p) => { p.trialDays = -1; }, 'trialDays'],
    ['fractional trial', (p) => { p.trialDays = 1.5; }, 'trialDays'],
    ['missing charges', (p) => { delete (p as Record<string, unknown>).charges; }, 'charges'],
    ['unknown top-level field', (p) => { p.interval = 'year'; }, 'interval'],
  ];
  for (const [name, mutate, field] of bad) {
    test(`rejects ${name} naming ${field}, writing nothing`, async () => {
      const before = await rowCounts(tdb.pool, TABLES);
      const input = structuredClone(plan(`bad-${name.replace(/\W+/g, '-')}`)) as unknown as Parameters<Mutation>[0];
      mutate(input);
      await expectBillflowError(() => createPlan(deps(), input as never), { code: 'invalid_input', httpStatus: 400, field });
      assert.deepEqual(await rowCounts(tdb.pool, TABLES), before);
    });
  }
});

describe('getPlan / listPlans', () => {
  test('unknown plan is plan_not_found', async () => {
    await expectBillflowError(() => getPlan(tdb.pool, 'missing'), { code: 'plan_not_found', httpStatus: 404, field: 'planId' });
  });

  test('lists plans by id cursor with their charges', async () => {
    const first = await listPlans(tdb.pool, { limit: 1 });
    assert.equal(first.plans.length, 1);
    assert.equal(first.nextAfter, first.plans[0]!.id);
    const rest = await listPlans(tdb.pool, { after: first.nextAfter! });
    assert.equal(rest.nextAfter, null);
    const ids = [...first.plans, ...rest.plans].map((p) => p.id);
    assert.deepEqual(ids, ['pro', 'taken']);
    assert.equal(rest.plans[0]!.charges.length, 4);
    await expectBillflowError(() => listPlans(tdb.pool, { limit: 5000 }), { code: 'invalid_input', httpStatus: 400, field: 'limit' });
  });
});

describe('createProduct / createMetric', () => {
  test('duplicates are 409s; bad input names the field', async () => {
    await expectBillflowError(() => createProduct(deps(), { id: 'seat', name: 'Again' }), { code: 'conflict', httpStatus: 409, field: 'id' });
    await expectBillflowError(() => createMetric(deps(), { code: 'api_calls', name: 'Again', aggregation: 'sum' }), { code: 'conflict', httpStatus: 409, field: 'code' });
    const before = await rowCounts(tdb.pool, ['products', 'billable_metrics']);
    await expectBillflowError(() => createProduct(deps(), { id: 'x', name: 'X', taxExempt: 'yes' } as never), { code: 'invalid_input', httpStatus: 400, field: 'taxExempt' });
    await expectBillflowError(() => createProduct(deps(), { id: 'i'.repeat(101), name: 'X' }), { code: 'invalid_input', httpStatus: 400, field: 'id' });
    await expectBillflowError(() => createMetric(deps(), { code: 'm', name: 'M', aggregation: 'avg' } as never), { code: 'invalid_input', httpStatus: 400, field: 'aggregation' });
    await expectBillflowError(() => createMetric(deps(), { code: 'm', name: 'M', aggregation: 'sum', unti: 'x' } as never), { code: 'invalid_input', httpStatus: 400, field: 'unti' });
    assert.deepEqual(await rowCounts(tdb.pool, ['products', 'billable_metrics']), before);
  });
});
