import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCustomerViaApi, startTestApi, type TestApi } from './support.ts';

describe('compatible payment-scheduler endpoints: by status, failures, requeue', () => {
  let api: TestApi;
  const ids: number[] = [];
  before(async () => {
    api = await startTestApi();
    const customerId = await createCustomerViaApi(api, 'payer@example.com');
    for (let i = 0; i < 5; i++) {
      const bill = await api.request('POST', '/api/v1/bill/genBill', { body: { userId: customerId, items: [{ productId: 'P', quantity: 1, price: 100 + i, productName: 'Thing' }] } });
      assert.equal(bill.status, 201, bill.text);
      ids.push(bill.json.id);
    }
    // Payments are not built yet: mark outcomes directly.
    await api.db.pool.query(`update invoices set payment_status = 'failed' where id = any($1)`, [ids.slice(0, 3)]);
    await api.db.pool.query(`update invoices set payment_status = 'paid' where id = $1`, [ids[3]]);
  });
  after(async () => {
    await api.close();
  });

  it('pages invoices by payment status, any letter case, oldest first', async () => {
    const first = await api.request('GET', '/rest/v1/invoices/status/FAILED?page=0&size=2');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.status, 'failed');
    assert.deepEqual(first.json.invoices.map((i: { id: number }) => i.id), ids.slice(0, 2));
    assert.equal(first.json.hasMore, true);
    const second = await api.request('GET', '/rest/v1/invoices/status/failed?page=1&size=2');
    assert.deepEqual(second.json.invoices.map((i: { id: number }) => i.id), ids.slice(2, 3));
    assert.equal(second.json.hasMore, false);
    const pending = await api.request('GET', '/rest/v1/invoices/status/Pending');
    assert.deepEqual(pending.json.invoices.map((i: { id: number }) => i.id), [ids[4]]);
    assert.equal(pending.json.size, 50);
    const none = await api.request('GET', '/rest/v1/invoices/status/not_required');
    assert.deepEqual(none.json.invoices, []);
  });

  it('rejects an unknown status and bad paging with 400 naming the field', async () => {
    const bad = await api.request('GET', '/rest/v1/invoices/status/overdue');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.details[0].field, 'status');
    const page = await api.request('GET', '/rest/v1/invoices/status/paid?page=-1&size=0');
    assert.equal(page.status, 400);
    assert.deepEqual(page.json.details.map((d: { field: string }) => d.field).sort(), ['page', 'size']);
    const text = await api.request('GET', '/rest/v1/invoices/status/paid?size=ten');
    assert.equal(text.status, 400);
    assert.equal(text.json.details[0].field, 'size');
  });

  it('answers failure reasons with an empty attempt list for an invoice never collected, 404 for an unknown one', async () => {
    const response = await api.request('GET', `/rest/v1/invoices/failed/${ids[0]}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { invoiceId: ids[0], number: response.json.number, paymentStatus: 'failed', attempts: [], requeues: [] });
    const missing = await api.request('GET', '/rest/v1/invoices/failed/987654');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'invoice_not_found');
    assert.equal((await api.request('GET', '/rest/v1/invoices/failed/x1')).status, 400);
  });

  it('requeues a failed invoice once: pressed twice in a row, it is queued once', async () => {
    const id = ids[0]!;
    const first = await api.request('POST', `/rest/v1/invoices/${id}/requeue`);
    assert.equal(first.status, 202, first.text);
    assert.equal(first.json.requeued, true);
    assert.equal(first.json.paymentStatus, 'pending');
    const second = await api.request('POST', `/rest/v1/invoices/${id}/requeue`);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.requeued, false);
    assert.equal(second.json.requestedAt, first.json.requestedAt);
    const rows = await api.db.pool.query('select count(*)::int as n from invoice_requeues where invoice_id = $1', [id]);
    assert.equal(rows.rows[0].n, 1);
    const events = await api.db.pool.query(`select count(*)::int as n from outbox_events where topic = 'invoice.payment_requeued' and aggregate_id = $1`, [id]);
    assert.equal(events.rows[0].n, 1);
    const failures = await api.request('GET', `/rest/v1/invoices/failed/${id}`);
    assert.equal(failures.json.paymentStatus, 'pending');
    assert.equal(failures.json.requeues.length, 1);
  });

  it('requeues concurrently pressed buttons once', async () => {
    const id = ids[1]!;
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.request('POST', `/api/v1/invoices/${id}/requeue`)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 202]);
    const rows = await api.db.pool.query('select count(*)::int as n from invoice_requeues where invoice_id = $1', [id]);
    assert.equal(rows.rows[0].n, 1);
  });

  it('refuses to requeue an invoice that did not fail (409) or does not exist (404)', async () => {
    const paid = await api.request('POST', `/rest/v1/invoices/${ids[3]}/requeue`);
    assert.equal(paid.status, 409);
    assert.equal(paid.json.code, 'invoice_not_failed');
    const pending = await api.request('POST', `/rest/v1/invoices/${ids[4]}/requeue`);
    assert.equal(pending.status, 409);
    const missing = await api.request('POST', '/rest/v1/invoices/987654/requeue');
    assert.equal(missing.status, 404);
  });

  it('needs read to list and write to requeue', async () => {
    assert.equal((await api.request('GET', '/rest/v1/invoices/status/paid', { key: null })).status, 401);
    assert.equal((await api.request('GET', '/rest/v1/invoices/status/paid', { key: api.keys.write })).status, 403);
    assert.equal((await api.request('POST', `/rest/v1/invoices/${ids[2]}/requeue`, { key: api.keys.read })).status, 403);
  });
});
