import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCUMENT_SETTINGS, renderCreditNotePdf } from '../../src/documents/index.ts';
import { silentLog } from '../../src/log.ts';
import { closeDeliveryChannels, deliverySettings, processSendJob, runDispatch, threadDeliveryContext } from '../../src/notifications/index.ts';
import { startTestApi, type TestApi } from '../api/support.ts';

const json = { 'content-type': 'application/json' };

describe('delivery over the HTTP API: status, dead letters, requeue, preferences', { concurrency: false }, () => {
  let api: TestApi;
  let dataDir: string;
  let invoiceId: number;
  let customerId: number;
  let settings: ReturnType<typeof deliverySettings>;

  before(async () => {
    api = await startTestApi();
    dataDir = mkdtempSync(join(tmpdir(), 'billflow-delivery-api-'));
    // The gateway's documented customer: mobile '0123456789' is not an E.164 number.
    const registered = await api.request('POST', '/api/v1/user/register', { body: { firstname: 'John', middlename: '', lastname: 'Doe', email: 'john.doe@example.com', mobile: '0123456789' }, headers: json });
    customerId = registered.json.id;
    const bill = await api.request('POST', '/api/v1/bill/genBill', { body: { userId: 'john.doe@example.com', items: [{ productId: 'AD234', quantity: 1, price: 899, productName: 'Premium T-Shirt' }] }, headers: json });
    assert.equal(bill.status, 201, bill.text);
    invoiceId = bill.json.id;
    settings = deliverySettings({ outboxDir: join(dataDir, 'outbox') });
    // The consumer reads only events older than every running transaction of the cluster (xids
    // are cluster-wide: another test file's open transaction holds it back), so dispatch until
    // the genBill invoice's event has been read.
    const until = Date.now() + 30_000;
    while ((await runDispatch({ pool: api.db.pool, log: silentLog, settings })).events === 0) {
      assert.ok(Date.now() < until, 'the invoice.issued event was never dispatched');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const job = (await api.db.pool.query(`select id from graphile_worker.jobs where task_identifier = 'delivery_send'`)).rows[0];
    const ids = (await api.db.pool.query('select id from deliveries order by id')).rows.map((r) => Number(r.id));
    const ctx = await threadDeliveryContext(api.db.pool, settings, DEFAULT_DOCUMENT_SETTINGS, dataDir);
    await processSendJob({ ...ctx, pool: api.db.pool, log: silentLog }, { ids, jobId: Number(job.id) });
  });
  after(async () => {
    await closeDeliveryChannels();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows an invoice\'s delivery per channel and the dead letters with their reason', async () => {
    const perInvoice = await api.request('GET', `/api/v1/invoices/${invoiceId}/deliveries`, { key: api.keys.read });
    assert.equal(perInvoice.status, 200, perInvoice.text);
    assert.deepEqual(perInvoice.json.deliveries.map((d: { channel: string; status: string }) => [d.channel, d.status]), [['sms', 'dead']]);
    const dead = await api.request('GET', '/api/v1/deliveries?status=dead&channel=sms', { key: api.keys.read });
    assert.equal(dead.status, 200);
    assert.equal(dead.json.deliveries.length, 1);
    assert.equal(dead.json.deliveries[0].errorKind, 'permanent');
    assert.match(dead.json.deliveries[0].lastError, /invalid phone number.*0123456789/);
    assert.equal(dead.json.nextAfter, null);
    assert.equal(dead.json.deliveries[0].creditNoteId, null);
    const counts = await api.request('GET', '/api/v1/deliveries/counts', { key: api.keys.read });
    assert.deepEqual(counts.json.counts, [{ channel: 'sms', status: 'dead', count: 1 }]);
    const bad = await api.request('GET', '/api/v1/deliveries?status=lost', { key: api.keys.read });
    assert.equal(bad.status, 400);
  });

  it('requeues a dead letter once (202), then refuses it while it is queued (409)', async () => {
    const [dead] = (await api.request('GET', '/api/v1/deliveries?status=dead', { key: api.keys.read })).json.deliveries;
    const refused = await api.request('POST', '/api/v1/deliveries/requeue', { key: api.keys.read, body: { ids: [dead.id] }, headers: json });
    assert.equal(refused.status, 403);
    const first = await api.request('POST', '/api/v1/deliveries/requeue', { key: api.keys.write, body: { ids: [dead.id] }, headers: json });
    assert.equal(first.status, 202, first.text);
    assert.deepEqual(first.json, { requeued: 1, ids: [dead.id] });
    const row = (await api.db.pool.query('select status, attempts, requeues from deliveries where id = $1', [dead.id])).rows[0];
    assert.deepEqual(row, { status: 'pending', attempts: 0, requeues: 1 });
    const jobs = (await api.db.pool.query(`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'delivery_send' and j.payload::text like $1`, [`%${dead.id}%`])).rows[0].n;
    assert.ok(jobs >= 1);
    const again = await api.request('POST', '/api/v1/deliveries/requeue', { key: api.keys.write, body: { ids: [dead.id] }, headers: json });
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'not_requeueable');
    const empty = await api.request('POST', '/api/v1/deliveries/requeue', { key: api.keys.write, body: {}, headers: json });
    assert.equal(empty.status, 400);
  });

  it('sets a customer\'s channels', async () => {
    const set = await api.request('PATCH', `/api/v1/customers/${customerId}/delivery-preferences`, { key: api.keys.write, body: { channels: ['email'] }, headers: json });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual((await api.db.pool.query('select channels from delivery_preferences where customer_id = $1', [customerId])).rows[0].channels, ['email']);
    const unknown = await api.request('PATCH', '/api/v1/customers/999999/delivery-preferences', { key: api.keys.write, body: { channels: ['sms'] }, headers: json });
    assert.equal(unknown.status, 404);
    const invalid = await api.request('PATCH', `/api/v1/customers/${customerId}/delivery-preferences`, { key: api.keys.write, body: { channels: ['fax'] }, headers: json });
    assert.equal(invalid.status, 400);
    const reset = await api.request('PATCH', `/api/v1/customers/${customerId}/delivery-preferences`, { key: api.keys.write, body: { channels: null }, headers: json });
    assert.equal(reset.status, 200);
    assert.equal((await api.db.pool.query('select count(*)::int as n from delivery_preferences')).rows[0].n, 0);
  });

  it('emails a credit note\'s PDF once rendered and lists it under the invoice with its creditNoteId', async () => {
    const issued = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { key: api.keys.write, body: { amountMinor: 100, reason: 'Goodwill' }, headers: json });
    assert.equal(issued.status, 201, issued.text);
    const cn = issued.json;
    await renderCreditNotePdf({ db: api.db.pool, settings: DEFAULT_DOCUMENT_SETTINGS, dataDir, log: silentLog }, cn.id);
    const until = Date.now() + 30_000;
    while ((await runDispatch({ pool: api.db.pool, log: silentLog, settings })).deliveries === 0) {
      assert.ok(Date.now() < until, 'the credit_note.document_rendered event was never dispatched');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const row = (await api.db.pool.query('select id from deliveries where credit_note_id = $1', [cn.id])).rows[0];
    const job = (await api.db.pool.query(`select max(id) as id from graphile_worker.jobs where task_identifier = 'delivery_send'`)).rows[0];
    const ctx = await threadDeliveryContext(api.db.pool, settings, DEFAULT_DOCUMENT_SETTINGS, dataDir);
    await processSendJob({ ...ctx, pool: api.db.pool, log: silentLog }, { ids: [Number(row.id)], jobId: Number(job.id) });
    const perInvoice = await api.request('GET', `/api/v1/invoices/${invoiceId}/deliveries`, { key: api.keys.read });
    const email = perInvoice.json.deliveries.find((d: { channel: string }) => d.channel === 'email');
    assert.deepEqual([email.creditNoteId, email.creditNoteNumber, email.status, email.messageId], [cn.id, cn.number, 'sent', `<billflow.cn-${cn.id}-email@billflow.local>`]);
    const eml = join(dataDir, 'outbox', 'email', `cn-${cn.id}-email.eml`);
    assert.ok(existsSync(eml), eml);
    assert.ok(readFileSync(eml, 'latin1').includes(`${cn.number}.pdf`));
  });
});
