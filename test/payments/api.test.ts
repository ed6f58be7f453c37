import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../api/support.ts';
import { collect } from '../../src/payments/index.ts';
import { customerWithInvoice, deps, settings } from './support.ts';
import { runCli } from '../support/cli.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';

describe('failed-payment workflow and repayments over HTTP', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('lists failed invoices, shows the real attempts, and requeues once', async () => {
    const { invoiceId } = await customerWithInvoice(api.db.pool, 'insufficient_funds', 'http');
    const summary = await collect(deps(api.db.pool, settings({ maxAttempts: 1 })), { invoiceIds: [invoiceId] });
    assert.equal(summary.failed, 1);
    const page = await api.request('GET', '/rest/v1/invoices/status/FAILED?size=10');
    assert.equal(page.status, 200);
    assert.deepEqual(page.json.invoices.map((i: { id: number }) => i.id), [invoiceId]);
    const failed = await api.request('GET', `/rest/v1/invoices/failed/${invoiceId}`);
    assert.equal(failed.status, 200);
    const a = failed.json.attempts[0];
    assert.deepEqual([a.attemptNo, a.outcome, a.failureCode, a.trigger, a.provider], [1, 'declined', 'insufficient_funds', 'collect', 'sandbox']);
    assert.match(a.failureMessage, /insufficient funds/);
    assert.ok(a.attemptedAt && a.finishedAt && a.providerRef);
    const first = await api.request('POST', `/rest/v1/invoices/${invoiceId}/requeue`);
    const second = await api.request('POST', `/api/v1/invoices/${invoiceId}/requeue`);
    assert.deepEqual([first.status, first.json.requeued, second.status, second.json.requeued], [202, true, 200, false]);
    const jobs = await api.db.pool.query(`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'payments_collect'`);
    assert.equal(jobs.rows[0].n, 1, 'requeued twice, queued once');
  });

  it('records a repayment (201), answers a duplicate with 200, and shows the balance', async () => {
    const { customerId, totalMinor } = await customerWithInvoice(api.db.pool, null, 'http-rp');
    const body = { customerId, amountMinor: totalMinor + 100, currency: 'INR', channel: 'upi', externalRef: 'UTR-HTTP-1', receivedAt: '2026-12-05T10:00:00Z' };
    const created = await api.request('POST', '/api/v1/repayments', { body });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual([created.json.status, created.json.appliedMinor, created.json.excessMinor], ['accepted', totalMinor, 100]);
    const dup = await api.request('POST', '/api/v1/repayments', { body });
    assert.deepEqual([dup.status, dup.json.status, dup.json.duplicateOf], [200, 'duplicate', created.json.repaymentId]);
    const bad = await api.request('POST', '/api/v1/repayments', { body: { ...body, amountMinor: 0 } });
    assert.equal(bad.status, 400);
    const balance = await api.request('GET', `/api/v1/customers/${customerId}/balance?currency=INR`);
    assert.deepEqual([balance.json.receivableMinor, balance.json.creditMinor], [0, 100]);
  });

  it("applies a customer's credit on request: oldest invoice in full, part of the next", async () => {
    const { customerId, totalMinor } = await customerWithInvoice(api.db.pool, null, 'http-credit');
    const paid = await api.request('POST', '/api/v1/repayments', { body: {
      customerId, amountMinor: totalMinor + 150_000, currency: 'INR', channel: 'upi', externalRef: 'UTR-HTTP-CREDIT', receivedAt: '2026-12-05T10:00:00Z',
    } });
    assert.deepEqual([paid.status, paid.json.excessMinor, paid.json.creditAppliedMinor, paid.json.refundableMinor], [201, 150_000, 0, 150_000]);
    const older = await createAdHocInvoice({ db: api.db.pool }, { customerId, items: [{ productId: 'P1', quantity: 1, price: 89900, productName: 'Shirt' }], source: 'api:http-credit-1' });
    const newer = await createAdHocInvoice({ db: api.db.pool }, { customerId, items: [{ productId: 'P1', quantity: 1, price: 89900, productName: 'Shirt' }], source: 'api:http-credit-2' });
    const applied = await api.request('POST', `/api/v1/customers/${customerId}/apply-credit`);
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.json.applications.map((a: { invoiceId: number; amountMinor: number; amountDueMinor: number }) => [a.invoiceId, a.amountMinor, a.amountDueMinor]),
      [[older.id, 106082, 0], [newer.id, 150_000 - 106082, 106082 - (150_000 - 106082)]]);
    assert.deepEqual([applied.json.appliedMinor, applied.json.creditLeftMinor, applied.json.paidInvoiceIds], [150_000, 0, [older.id]]);
    const invoice = await api.request('GET', `/api/v1/invoices/${newer.id}`);
    assert.deepEqual([invoice.json.paymentStatus, invoice.json.creditAppliedMinor, invoice.json.amountDueMinor], ['pending', 43_918, 62_164]);
    const missing = await api.request('POST', '/api/v1/customers/999999999/apply-credit');
    assert.deepEqual([missing.status, missing.json.code], [404, 'customer_not_found']);
  });

  it('offers the same workflow on the CLI', async () => {
    const { invoiceId } = await customerWithInvoice(api.db.pool, 'card_declined', 'cli');
    await collect(deps(api.db.pool, settings({ maxAttempts: 1 })), { invoiceIds: [invoiceId] });
    const list = await runCli(['payments', 'list', '--status', 'FAILED', '--json'], { databaseUrl: api.db.url });
    assert.equal(list.code, 0, list.stderr);
    assert.ok(JSON.parse(list.stdout).invoices.some((i: { id: number }) => i.id === invoiceId));
    const attempts = await runCli(['payments', 'attempts', String(invoiceId)], { databaseUrl: api.db.url });
    assert.match(attempts.stdout, /#1 declined .* card_declined: Your card was declined\./);
    const first = await runCli(['payments', 'requeue', String(invoiceId), '--json'], { databaseUrl: api.db.url });
    const second = await runCli(['payments', 'requeue', String(invoiceId), '--json'], { databaseUrl: api.db.url });
    assert.deepEqual([JSON.parse(first.stdout).requeued, JSON.parse(second.stdout).requeued], [true, false]);
    const bad = await runCli(['payments', 'list', '--status', 'lost'], { databaseUrl: api.db.url });
    assert.equal(bad.code, 2);
    const collected = await runCli(['collect', '--invoice', String(invoiceId), '--json'], { databaseUrl: api.db.url });
    assert.equal(collected.code, 0, collected.stderr);
    assert.equal(JSON.parse(collected.stdout).attempts, 1, 'the requeued invoice is attempted once more');
  });
});
