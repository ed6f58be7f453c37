import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { expectBillflowError, fixedClock, insertTestCustomer, rowCounts } from '../customers/test-helpers.ts';
import { createOneOffCharges, createRefund, itemsFromGenBill, type CreateOneOffChargesInput } from './index.ts';

let tdb: TestDatabase;
const deps = () => ({ db: tdb.pool, clock: fixedClock('2026-11-05T23:30:00Z') });
let customerId: number;
let otherCustomerId: number;

before(async () => {
  tdb = await createTestDatabase();
  customerId = await insertTestCustomer(tdb.pool);
  otherCustomerId = await insertTestCustomer(tdb.pool);
});
after(async () => {
  await tdb.drop();
});

const item = { productId: 'SKU-1', productName: 'Router', quantity: 2, price: 89900 };

describe('createOneOffCharges', () => {
  test("writes every item in the customer's currency, dated by the clock", async () => {
    const result = await createOneOffCharges(deps(), { customerId, items: [item, { ...item, productId: 'SKU-2', productName: 'Cable', quantity: 1, price: 0 }] });
    assert.equal(result.currency, 'INR');
    assert.equal(result.chargedOn, '2026-11-05');
    assert.deepEqual(result.charges.map((c) => [c.kind, c.productId, c.quantity, c.unitPriceMinor, c.chargedOn]), [
      ['charge', 'SKU-1', 2, 89900, '2026-11-05'],
      ['charge', 'SKU-2', 1, 0, '2026-11-05'],
    ]);
    const dated = await createOneOffCharges(deps(), { customerId, items: [item], chargedOn: '2026-10-31' });
    assert.equal(dated.charges[0]!.chargedOn, '2026-10-31');
  });

  type Mutation = (input: Record<string, unknown> & { items: Record<string, unknown>[] }) => void;
  const bad: [string, Mutation, string, string, number][] = [
    ['negative quantity', (i) => { i.items[1]!.quantity = -1; }, 'items[1].quantity', 'invalid_input', 400],
    ['zero quantity', (i) => { i.items[0]!.quantity = 0; }, 'items[0].quantity', 'invalid_input', 400],
    ['quantity 1.5', (i) => { i.items[0]!.quantity = 1.5; }, 'items[0].quantity', 'invalid_input', 400],
    ['quantity as string', (i) => { i.items[0]!.quantity = '2'; }, 'items[0].quantity', 'invalid_input', 400],
    ['negative price', (i) => { i.items[0]!.price = -100; }, 'items[0].price', 'invalid_input', 400],
    ['fractional price', (i) => { i.items[0]!.price = 899.5; }, 'items[0].price', 'invalid_input', 400],
    ['overflowing line', (i) => { Object.assign(i.items[0]!, { quantity: 2 ** 40, price: 2 ** 20 }); }, 'items[0].price', 'invalid_input', 400],
    ['missing product name', (i) => { delete i.items[0]!.productName; }, 'items[0].productName', 'invalid_input', 400],
    ['empty product id', (i) => { i.items[0]!.productId = ' '; }, 'items[0].productId', 'invalid_input', 400],
    ['oversized product name', (i) => { i.items[0]!.productName = 'n'.repeat(201); }, 'items[0].productName', 'invalid_input', 400],
    ['unknown item field', (i) => { i.items[0]!.discount = 5; }, 'items[0].discount', 'invalid_input', 400],
    ['unknown top-level field', (i) => { i.currency = 'INR'; }, 'currency', 'invalid_input', 400],
    ['no items', (i) => { i.items = []; }, 'items', 'invalid_input', 400],
    ['too many items', (i) => { i.items = Array.from({ length: 101 }, () => ({ ...item })); }, 'items', 'invalid_input', 400],
    ['malformed date', (i) => { i.chargedOn = '2026-11-31'; }, 'chargedOn', 'invalid_input', 400],
    ['unknown customer', (i) => { i.customerId = 999999; }, 'customerId', 'customer_not_found', 404],
  ];
  for (const [name, mutate, field, code, httpStatus] of bad) {
    test(`rejects ${name} naming ${field}, writing no item`, async () => {
      const before = await rowCounts(tdb.pool, ['one_off_charges']);
      const input = { customerId, items: [{ ...item }, { ...item, productId: 'SKU-3' }] };
      mutate(input);
      await expectBillflowError(() => createOneOffCharges(deps(), input as unknown as CreateOneOffChargesInput), { code, httpStatus, field });
      assert.deepEqual(await rowCounts(tdb.pool, ['one_off_charges']), before);
    });
  }
});

describe('itemsFromGenBill', () => {
  test('major-unit prices become minor units exactly', () => {
    const items = itemsFromGenBill([
      { productId: 'p1', productName: 'Plan', quantity: 1, price: 899 },
      { productId: 'p2', productName: 'Add-on', quantity: 3, price: '0.29' },
      { productId: 'p3', productName: 'Fee', quantity: 1, price: '1234.50' },
    ], 'INR');
    assert.deepEqual(items.map((i) => i.price), [89900, 29, 123450]);
    assert.deepEqual(itemsFromGenBill([{ productId: 'p', productName: 'P', quantity: 1, price: 1000 }], 'JPY')[0]!.price, 1000);
  });

  const bad: [string, unknown, string, string][] = [
    ['unknown currency', [{ productId: 'p', productName: 'P', quantity: 1, price: 1 }], 'XYZ', 'currency'],
    ['too many decimals', [{ productId: 'p', productName: 'P', quantity: 1, price: '8.999' }], 'INR', 'items[0].price'],
    ['decimals for JPY', [{ productId: 'p', productName: 'P', quantity: 1, price: 10.5 }], 'JPY', 'items[0].price'],
    ['negative price', [{ productId: 'p', productName: 'P', quantity: 1, price: -5 }], 'INR', 'items[0].price'],
    ['price not a number', [{ productId: 'p', productName: 'P', quantity: 1, price: 'abc' }], 'INR', 'items[0].price'],
    ['price as boolean', [{ productId: 'p', productName: 'P', quantity: 1, price: true }], 'INR', 'items[0].price'],
    ['missing price', [{ productId: 'p', productName: 'P', quantity: 1 }], 'INR', 'items[0].price'],
    ['quantity 1.5', [{ productId: 'p', productName: 'P', quantity: 1.5, price: 1 }], 'INR', 'items[0].quantity'],
    ['negative quantity', [{ productId: 'p', productName: 'P', quantity: -2, price: 1 }], 'INR', 'items[0].quantity'],
    ['oversized product id', [{ productId: 'p'.repeat(201), productName: 'P', quantity: 1, price: 1 }], 'INR', 'items[0].productId'],
    ['empty product name', [{ productId: 'p', productName: '', quantity: 1, price: 1 }], 'INR', 'items[0].productName'],
    ['extra field', [{ productId: 'p', productName: 'P', quantity: 1, price: 1, tax: 18 }], 'INR', 'items[0].tax'],
    ['not an array', { productId: 'p' }, 'INR', 'items'],
  ];
  for (const [name, items, currency, field] of bad) {
    test(`rejects ${name} naming ${field}`, async () => {
      await expectBillflowError(async () => itemsFromGenBill(items, currency), { code: 'invalid_input', httpStatus: 400, field });
    });
  }
});

describe('createRefund', () => {
  let paymentId: number;
  before(async () => {
    paymentId = (await tdb.pool.query<{ id: number }>(
      `insert into payments (customer_id, currency, amount_minor) values ($1, 'INR', 100000) returning id`, [customerId],
    )).rows[0]!.id;
  });

  test('refunds up to what is left of the payment', async () => {
    const refund = await createRefund(deps(), { customerId, originalPaymentId: paymentId, amountMinor: 60000, reason: 'Damaged router' });
    assert.deepEqual([refund.kind, refund.quantity, refund.unitPriceMinor, refund.originalPaymentId, refund.productName, refund.chargedOn],
      ['refund', 1, -60000, paymentId, 'Damaged router', '2026-11-05']);
    const before = await rowCounts(tdb.pool, ['one_off_charges']);
    await expectBillflowError(() => createRefund(deps(), { customerId, originalPaymentId: paymentId, amountMinor: 40001, reason: 'Again' }), {
      code: 'conflict', httpStatus: 409, field: 'amountMinor',
    });
    assert.deepEqual(await rowCounts(tdb.pool, ['one_off_charges']), before);
    await createRefund(deps(), { customerId, originalPaymentId: paymentId, amountMinor: 40000, reason: 'Rest', refundedOn: '2026-11-06' });
  });

  test('concurrent refunds cannot together exceed the payment', async () => {
    const id = (await tdb.pool.query<{ id: number }>(
      `insert into payments (customer_id, currency, amount_minor) values ($1, 'INR', 1000) returning id`, [customerId],
    )).rows[0]!.id;
    const results = await Promise.allSettled([1, 2, 3].map(() => createRefund(deps(), { customerId, originalPaymentId: id, amountMinor: 600, reason: 'race' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  const bad: [string, () => Record<string, unknown>, string, string, number][] = [
    ['unknown payment', () => ({ originalPaymentId: 999999 }), 'originalPaymentId', 'payment_not_found', 404],
    ["another customer's payment", () => ({ customerId: otherCustomerId }), 'originalPaymentId', 'payment_not_found', 404],
    ['unknown customer', () => ({ customerId: 999999 }), 'customerId', 'customer_not_found', 404],
    ['zero amount', () => ({ amountMinor: 0 }), 'amountMinor', 'invalid_input', 400],
    ['fractional amount', () => ({ amountMinor: 10.5 }), 'amountMinor', 'invalid_input', 400],
    ['missing reason', () => ({ reason: undefined }), 'reason', 'invalid_input', 400],
    ['oversized reason', () => ({ reason: 'r'.repeat(201) }), 'reason', 'invalid_input', 400],
    ['bad date', () => ({ refundedOn: '2026-11-5' }), 'refundedOn', 'invalid_input', 400],
    ['extra field', () => ({ currency: 'INR' }), 'currency', 'invalid_input', 400],
  ];
  for (const [name, change, field, code, httpStatus] of bad) {
    test(`rejects ${name} naming ${field}`, async () => {
      const before = await rowCounts(tdb.pool, ['one_off_charges']);
      const input = { customerId, originalPaymentId: paymentId, amountMinor: 1, reason: 'x', ...change() };
      await expectBillflowError(() => createRefund(deps(), input as never), { code, httpStatus, field });
      assert.deepEqual(await rowCounts(tdb.pool, ['one_off_charges']), before);
    });
  }
});
