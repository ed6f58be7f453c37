import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAdHocInvoices } from '../../src/billing/index.ts';
import { allRowCounts, createCustomerViaApi, startTestApi, type TestApi } from './support.ts';

describe('genBill issued in batches', () => {
  let api: TestApi;
  const customers: number[] = [];
  before(async () => {
    api = await startTestApi();
    for (let i = 0; i < 20; i++) customers.push(await createCustomerViaApi(api, `batch${i}@example.com`));
  });
  after(async () => {
    await api.close();
  });

  const item = (n: number) => ({ productId: `P${n}`, quantity: 1 + (n % 3), price: 100 + n, productName: `Thing ${n}` });

  it('bills 60 concurrent requests once each, with gapless unique numbers and their own totals', async () => {
    const before = await allRowCounts(api.db.pool);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => api.request('POST', '/api/v1/bill/genBill', {
      body: { userId: customers[n % customers.length], items: [item(n)] },
      ...(n % 2 === 0 ? { headers: { 'idempotency-key': `burst-${n}` } } : {}),
    })));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [201]);
    answers.forEach((a, n) => {
      assert.equal(a.json.customerId, customers[n % customers.length]);
      assert.equal(a.json.subtotalMinor, (1 + (n % 3)) * (100 + n) * 100);
    });
    const numbers = answers.map((a) => Number(a.json.number.slice(-6))).sort((x, y) => x - y);
    assert.equal(new Set(numbers).size, 60);
    assert.equal(numbers[59]! - numbers[0]!, 59, 'gapless');
    const after = await allRowCounts(api.db.pool);
    assert.equal(after['public.invoices']! - before['public.invoices']!, 60);
    assert.equal(after['public.one_off_charges']! - before['public.one_off_charges']!, 60);
    assert.equal(after['public.invoice_lines']! - before['public.invoice_lines']!, 60);
  });

  it('fails only the request whose invoice cannot be issued, in the same burst', async () => {
    const noRegion = await api.request('POST', '/api/v1/customers', { body: { name: 'No Region', email: 'nr@example.com', currency: 'EUR', country: 'DE', legalEntityId: 'eu' } });
    const userIds = [customers[0], noRegion.json.id, customers[1], customers[2]];
    const answers = await Promise.all(userIds.map((userId, n) => api.request('POST', '/api/v1/bill/genBill', { body: { userId, items: [item(n)] } })));
    assert.deepEqual(answers.map((a) => a.status), [201, 422, 201, 201]);
    assert.equal(answers[1]!.json.code, 'invoice_invalid');
    const charges = await api.db.pool.query('select count(*)::int as n from one_off_charges where customer_id = $1', [noRegion.json.id]);
    assert.equal(charges.rows[0].n, 0);
  });

  it('answers a request the database refuses (a NUL byte) with 400, and the rest of its batch still bills', async () => {
    const answers = await Promise.all([0, 1, 2, 3].map((n) => api.request('POST', '/api/v1/bill/genBill', {
      body: { userId: customers[n], items: [n === 2 ? { ...item(n), productName: 'bad\u0000name' } : item(n)] },
    })));
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 400, 201]);
    assert.equal(answers[2]!.json.code, 'invalid_input');
  });

  it('issues one invoice per (customer, period, source) inside a batch and across batches', async () => {
    const job = { customerId: customers[5]!, items: [{ productId: 'D', productName: 'Dup', quantity: 1, price: 500 }], source: 'api:test:dup', issueDate: '2026-11-22' };
    const [a, b] = await createAdHocInvoices({ db: api.db.pool, netTermsDays: 15 }, [job, { ...job }]);
    assert.ok(a?.ok && b?.ok);
    assert.equal(a.invoice.id, b.invoice.id);
    assert.deepEqual([a.invoice.created, b.invoice.created], [true, false]);
    const [again] = await createAdHocInvoices({ db: api.db.pool, netTermsDays: 15 }, [job]);
    assert.ok(again?.ok);
    assert.deepEqual([again.invoice.id, again.invoice.created], [a.invoice.id, false]);
    const [missing] = await createAdHocInvoices({ db: api.db.pool, netTermsDays: 15 }, [{ ...job, customerId: 999_999 }]);
    assert.ok(missing && !missing.ok);
  });
});
