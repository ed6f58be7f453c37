/**
 * The read endpoints added to finish the API: subscriptions, loans and charges listed with filters and a
 * cursor, coupons and metrics by id and listed, and an invoice's stored PDF. Each: the happy
 * path, 400 (bad query or id), 401 (no key), 403 (a key without `read`) and 404.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getInvoicePdf } from '../../src/documents/index.ts';
import { loanSchema, subscriptionSchema } from '../../src/server/schemas.ts';
import { createCustomerViaApi, startTestApi, type TestApi } from './support.ts';

/** 401 without a key and 403 with a write-only key, for a read endpoint. */
async function assertReadAuth(api: TestApi, path: string): Promise<void> {
  const none = await api.request('GET', path, { key: null });
  assert.equal(none.status, 401, `${path} without a key`);
  assert.equal(none.json.code, 'unauthenticated');
  const writer = await api.request('GET', path, { key: api.keys.write });
  assert.equal(writer.status, 403, `${path} with a write-only key`);
  assert.equal(writer.json.code, 'forbidden');
  assert.equal((await api.request('GET', path, { key: api.keys.read })).status, 200, `${path} with a read key`);
}

async function pages<T>(api: TestApi, path: string, field: string): Promise<T[][]> {
  const out: T[][] = [];
  let after: unknown = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.request('GET', `${path}${sep}limit=2${after === null ? '' : `&after=${after}`}`);
    assert.equal(page.status, 200, page.text);
    out.push(page.json[field]);
    after = page.json.nextAfter;
  } while (after !== null && out.length < 50);
  return out;
}

describe('lists (subscriptions, loans, coupons, metrics) and the invoice PDF', () => {
  let api: TestApi;
  let dataDir: string;
  const customers: number[] = [];
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'billflow-api-pdf-'));
    api = await startTestApi({ dataDir });
    for (let i = 0; i < 3; i++) customers.push(await createCustomerViaApi(api, `list${i}@example.com`));
    await api.request('POST', '/api/v1/products', { body: { id: 'seat', name: 'Seat' } });
    for (const id of ['basic', 'pro']) {
      const plan = await api.request('POST', '/api/v1/plans', { body: { id, name: id, charges: [{ id: `${id}-fee`, productId: 'seat', chargeModel: 'flat', prices: { INR: { amount: 10000 } } }] } });
      assert.equal(plan.status, 201, plan.text);
    }
  });
  after(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists subscriptions with filters (customer, plan, active/ended) and a cursor', async () => {
    const started: number[] = [];
    for (const [i, customerId] of customers.entries()) {
      for (const planId of ['basic', 'pro']) {
        const sub = await api.request('POST', '/api/v1/subscriptions', { body: { customerId, planId, startedOn: `2026-10-0${i + 1}` } });
        assert.equal(sub.status, 201, sub.text);
        started.push(sub.json.id);
      }
    }
    // The clock's today is 2026-11-22: one ended before it, one ends after it (still active).
    assert.equal((await api.request('POST', `/api/v1/subscriptions/${started[0]}/cancel`, { body: { endsOn: '2026-11-01' } })).status, 200);
    assert.equal((await api.request('POST', `/api/v1/subscriptions/${started[1]}/cancel`, { body: { endsOn: '2026-12-01' } })).status, 200);

    const all = await pages<{ id: number }>(api, '/api/v1/subscriptions', 'subscriptions');
    assert.deepEqual(all.flat().map((s) => s.id), started);
    assert.deepEqual(all.map((p) => p.length), [2, 2, 2, 0].slice(0, all.length));
    all.flat().forEach((s) => subscriptionSchema.parse(s));

    const one = await api.request('GET', `/api/v1/subscriptions?customerId=${customers[1]}`);
    assert.deepEqual(one.json.subscriptions.map((s: { id: number }) => s.id), started.slice(2, 4));
    assert.equal(one.json.nextAfter, null);
    const pro = await api.request('GET', '/api/v1/subscriptions?planId=pro');
    assert.deepEqual(pro.json.subscriptions.map((s: { planId: string }) => s.planId), ['pro', 'pro', 'pro']);
    const ended = await api.request('GET', '/api/v1/subscriptions?status=ended');
    assert.deepEqual(ended.json.subscriptions.map((s: { id: number }) => s.id), [started[0]]);
    const active = await api.request('GET', '/api/v1/subscriptions?status=active');
    assert.equal(active.json.subscriptions.length, 5);
    const asOf = await api.request('GET', '/api/v1/subscriptions?status=ended&asOf=2026-12-01');
    assert.deepEqual(asOf.json.subscriptions.map((s: { id: number }) => s.id), [started[0], started[1]]);
    const none = await api.request('GET', '/api/v1/subscriptions?customerId=999999');
    assert.deepEqual(none.json, { subscriptions: [], nextAfter: null });

    for (const [query, field] of [['status=open', 'status'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['after=-1', 'after'], ['asOf=2026-02-30', 'asOf'], ['customerId=1.5', 'customerId'], ['bogus=1', 'bogus']]) {
      const bad = await api.request('GET', `/api/v1/subscriptions?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.json.code, 'invalid_input');
      assert.equal(bad.json.details[0].field, field, query);
    }
    await assertReadAuth(api, '/api/v1/subscriptions');
  });

  it('lists one-off charges with filters and a cursor, and gets one', async () => {
    const ids: number[] = [];
    for (const customerId of [customers[0], customers[1], customers[0]]) {
      const created = await api.request('POST', '/api/v1/charges', {
        body: { customerId, items: [{ productId: 'AD234', productName: 'Premium T-Shirt', quantity: 2, price: 89900 }] },
      });
      assert.equal(created.status, 201, created.text);
      ids.push(...created.json.charges.map((c: { id: number }) => c.id));
    }
    const all = await pages<{ id: number }>(api, '/api/v1/charges', 'charges');
    assert.deepEqual(all.flat().map((c) => c.id), ids);
    const mine = await api.request('GET', `/api/v1/charges?customerId=${customers[0]}&kind=charge`);
    assert.deepEqual(mine.json.charges.map((c: { id: number }) => c.id), [ids[0], ids[2]]);
    assert.deepEqual((await api.request('GET', '/api/v1/charges?kind=refund')).json, { charges: [], nextAfter: null });
    const one = await api.request('GET', `/api/v1/charges/${ids[1]}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.customerId, customers[1]);
    assert.equal(one.json.unitPriceMinor, 89900);
    assert.equal(one.json.quantity, 2);
    for (const [query, field] of [['kind=credit', 'kind'], ['limit=0', 'limit'], ['after=x', 'after'], ['customerId=-3', 'customerId'], ['bogus=1', 'bogus']]) {
      const bad = await api.request('GET', `/api/v1/charges?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.json.details[0].field, field, query);
    }
    assert.equal((await api.request('GET', '/api/v1/charges/abc')).status, 400);
    const missing = await api.request('GET', '/api/v1/charges/999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'charge_not_found');
    await assertReadAuth(api, '/api/v1/charges');
    await assertReadAuth(api, `/api/v1/charges/${ids[0]}`);
  });

  it('lists loans with filters and a cursor', async () => {
    const loans: number[] = [];
    for (const customerId of [customers[0], customers[0], customers[2]]) {
      const loan = await api.request('POST', '/api/v1/loans', {
        body: { customerId, currency: 'INR', principalMinor: 1200000, annualRate: '12', tenureMonths: 6, firstDueOn: '2026-12-05' },
      });
      assert.equal(loan.status, 201, loan.text);
      loans.push(loan.json.id);
    }
    const all = await pages<{ id: number }>(api, '/api/v1/loans', 'loans');
    assert.deepEqual(all.flat().map((l) => l.id), loans);
    all.flat().forEach((l) => loanSchema.parse(l));
    const mine = await api.request('GET', `/api/v1/loans?customerId=${customers[0]}&status=active`);
    assert.deepEqual(mine.json.loans.map((l: { id: number }) => l.id), loans.slice(0, 2));
    assert.deepEqual((await api.request('GET', '/api/v1/loans?status=closed')).json, { loans: [], nextAfter: null });
    const schedule = await api.request('GET', `/api/v1/loans/${loans[2]}/schedule`);
    assert.equal(schedule.json.installments.length, 6);
    for (const query of ['status=paid', 'limit=1001', 'customerId=x']) {
      assert.equal((await api.request('GET', `/api/v1/loans?${query}`)).status, 400, query);
    }
    assert.equal((await api.request('GET', '/api/v1/loans/abc')).status, 400);
    assert.equal((await api.request('GET', '/api/v1/loans/999999')).json.code, 'loan_not_found');
    await assertReadAuth(api, '/api/v1/loans');
    await assertReadAuth(api, `/api/v1/loans/${loans[0]}/schedule`);
  });

  it('gets and lists coupons and metrics', async () => {
    const ids = ['A10', 'B20', 'C30'];
    for (const [i, id] of ids.entries()) {
      const created = await api.request('POST', '/api/v1/coupons', { body: { id, name: `${id} off`, kind: 'percentage', percent: String(10 * (i + 1)), durationPeriods: 3 } });
      assert.equal(created.status, 201, created.text);
    }
    const fixed = await api.request('POST', '/api/v1/coupons', { body: { id: 'FLAT', name: 'flat', kind: 'fixed', amountMinor: 5000, currency: 'INR' } });
    assert.equal(fixed.status, 201, fixed.text);
    assert.equal((await api.request('POST', '/api/v1/coupons', { body: { id: 'FLAT', name: 'again', kind: 'fixed', amountMinor: 1, currency: 'INR' } })).status, 409);
    const one = await api.request('GET', '/api/v1/coupons/B20');
    assert.deepEqual(one.json, { id: 'B20', name: 'B20 off', kind: 'percentage', percent: '20.0000', amountMinor: null, currency: null, durationPeriods: 3 });
    assert.deepEqual((await api.request('GET', '/api/v1/coupons/FLAT')).json.amountMinor, 5000);
    const all = await pages<{ id: string }>(api, '/api/v1/coupons', 'coupons');
    assert.deepEqual(all.flat().map((c) => c.id), [...ids, 'FLAT']);
    const missing = await api.request('GET', '/api/v1/coupons/NOPE');
    assert.deepEqual([missing.status, missing.json.code, missing.json.details[0].field], [404, 'coupon_not_found', 'couponId']);
    assert.equal((await api.request('GET', '/api/v1/coupons/bad%20id')).status, 400);
    assert.equal((await api.request('GET', '/api/v1/coupons?after=%2F')).status, 400);
    await assertReadAuth(api, '/api/v1/coupons');
    await assertReadAuth(api, '/api/v1/coupons/A10');

    assert.equal((await api.request('POST', '/api/v1/metrics', { body: { code: 'gb', name: 'Storage', aggregation: 'max', unit: 'GB' } })).status, 201);
    assert.deepEqual((await api.request('GET', '/api/v1/metrics/gb')).json, { code: 'gb', name: 'Storage', aggregation: 'max', unit: 'GB' });
    assert.equal((await api.request('GET', '/api/v1/metrics/nope')).json.code, 'metric_not_found');
    assert.equal((await api.request('GET', '/api/v1/metrics/-x')).status, 400);
    await assertReadAuth(api, '/api/v1/metrics/gb');
  });

  it('serves the stored PDF of an invoice; 404 pdf_not_ready before it is rendered', async () => {
    const bill = await api.request('POST', '/api/v1/bill/genBill', {
      body: { userId: customers[0], items: [{ productId: 'AD234', quantity: 2, price: 899, productName: 'Premium T-Shirt' }] },
    });
    assert.equal(bill.status, 201, bill.text);
    const path = `/api/v1/invoices/${bill.json.id}/pdf`;
    const early = await api.request('GET', path);
    assert.deepEqual([early.status, early.json.code, early.json.details[0].field], [404, 'pdf_not_ready', 'invoiceId']);

    const stored = await getInvoicePdf({ db: api.db.pool, settings: api.config.documents, dataDir }, bill.json.id);
    const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.keys.read}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    assert.match(response.headers.get('content-disposition')!, new RegExp(`filename="${bill.json.number}\\.pdf"`));
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.ok(bytes.equals(stored.pdf));
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.equal(response.headers.get('etag'), `"${sha}"`);
    assert.equal(response.headers.get('x-pdf-pages'), String(stored.pages));
    const again = await api.request('GET', path, { headers: { 'if-none-match': `"${sha}"` } });
    assert.deepEqual([again.status, again.text], [304, '']);

    // A file altered behind the database's back is not served.
    writeFileSync(stored.location, Buffer.concat([stored.pdf, Buffer.from('tampered')]));
    const altered = await api.request('GET', path);
    assert.deepEqual([altered.status, altered.json.code], [404, 'pdf_not_ready']);
    rmSync(stored.location);
    assert.equal((await api.request('GET', path)).json.code, 'pdf_not_ready');

    const unknown = await api.request('GET', '/api/v1/invoices/999999/pdf');
    assert.deepEqual([unknown.status, unknown.json.code], [404, 'invoice_not_found']);
    assert.equal((await api.request('GET', '/api/v1/invoices/0/pdf')).status, 400);
    assert.equal((await api.request('GET', '/api/v1/invoices/12abc/pdf')).status, 400);
    assert.equal((await api.request('GET', path, { key: null })).status, 401);
    assert.equal((await api.request('GET', path, { key: api.keys.write })).status, 403);
  });
});
