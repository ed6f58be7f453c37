import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../api/support.ts';
import { collect } from '../../src/payments/index.ts';
import { customerWithInvoice, deps, settings } from './support.ts';

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
});
