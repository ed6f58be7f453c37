import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/index.ts';
import { createApiKey } from '../../src/server/api-keys.ts';
import { runSchema, invoiceSchema } from '../../src/server/schemas.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { silentLog } from '../../src/log.ts';
import { waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('invoices and billing runs through `startServer` with worker threads', () => {
  let db: TestDatabase;
  let server: RunningServer;
  let key: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, text };
  };

  before(async () => {
    db = await createTestDatabase();
    const config = configSchema.parse({ billing: { workers: 1, shardSize: 2 } });
    server = await startServer({ pool: db.pool, config, log: silentLog }, {
      port: 0, host: '127.0.0.1', threads: 1, connectionString: db.url,
      runner: { connectionString: db.url, concurrency: 1, pollIntervalMs: 200, heartbeatMs: 5_000, deadAfterMs: 60_000,
        // The listings below filter on payment status 'pending': the run's collect stage is off here.
        payments: { ...config.payments, collectOnRun: false } },
    });
    key = (await createApiKey(db.pool, { name: 't', scopes: ['read', 'write', 'admin'] })).key;
    await call('POST', '/api/v1/products', { id: 'seat', name: 'Seat' });
    await call('POST', '/api/v1/plans', { id: 'basic', name: 'Basic', charges: [{ id: 'fee', productId: 'seat', chargeModel: 'flat', prices: { INR: { amount: 50000 }, EUR: { amount: 900 } } }] });
    const customers = [
      { name: 'A', email: 'a@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in' },
      { name: 'B', email: 'b@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in' },
      { name: 'C', email: 'c@example.com', currency: 'EUR', country: 'DE', taxRegion: 'DE', legalEntityId: 'eu' },
    ];
    for (const c of customers) {
      const created = await call('POST', '/api/v1/customers', c);
      await call('POST', '/api/v1/subscriptions', { customerId: created.json.id, planId: 'basic', startedOn: '2026-10-01' });
    }
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it('starts a run over HTTP; the server\'s worker thread bills it; status has per-stage counts and timings', async () => {
    const started = await call('POST', '/api/v1/billing-runs', { period: '2026-10', issueDate: '2026-11-01' });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.json.shards, 2);
    let status = await call('GET', started.json.statusUrl);
    await waitFor(async () => (status = await call('GET', started.json.statusUrl)).json.status !== 'running', 60_000, 'the run');
    runSchema.parse(status.json);
    assert.equal(status.json.status, 'completed');
    assert.equal(status.json.invoices, 3);
    assert.deepEqual(status.json.shards, { total: 2, done: 2, running: 0, retrying: 0, pending: 0, parked: 0, canceled: 0 });
    assert.deepEqual(status.json.stages.map((s: { stage: string }) => s.stage), ['load', 'dedupe', 'compute', 'validate', 'persist']);
    assert.equal(status.json.stages.find((s: { stage: string }) => s.stage === 'persist').shardsReached, 2);
    assert.ok(status.json.stages.every((s: { shardsTimed: number }) => s.shardsTimed === 2));
    const runs = await call('GET', '/api/v1/billing-runs');
    assert.equal(runs.json.runs[0].runId, started.json.runId);
    // A completed run has nothing to resume or cancel (409); a second run of the period bills nothing twice.
    assert.equal((await call('POST', `/api/v1/billing-runs/${started.json.runId}/resume`)).status, 409);
    const again = await call('POST', '/api/v1/billing-runs', { period: '2026-10', issueDate: '2026-11-01' });
    await waitFor(async () => (await call('GET', again.json.statusUrl)).json.status !== 'running', 60_000, 'the second run');
    assert.equal((await call('GET', again.json.statusUrl)).json.alreadyInvoiced, 3);
    assert.equal((await db.pool.query('select count(*)::int as n from invoices')).rows[0].n, 3);
    assert.equal((await call('POST', `/api/v1/billing-runs/${started.json.runId}/cancel`)).status, 409);
    assert.equal((await call('GET', '/api/v1/billing-runs/999')).status, 404);
    assert.equal((await call('POST', '/api/v1/billing-runs/999/cancel')).status, 404);
    assert.equal((await call('POST', '/api/v1/billing-runs', { period: '2026-13' })).status, 400);
  });

  it('lists invoices newest first with filters and a cursor; gets one and its lines', async () => {
    const all = await call('GET', '/api/v1/invoices?limit=2');
    assert.equal(all.status, 200);
    assert.equal(all.json.invoices.length, 2);
    invoiceSchema.parse(all.json.invoices[0]);
    assert.ok(all.json.invoices[0].id > all.json.invoices[1].id);
    const next = await call('GET', `/api/v1/invoices?limit=2&before=${all.json.nextBefore}`);
    assert.ok(next.json.invoices.length >= 1);
    assert.ok(next.json.invoices.every((i: { id: number }) => i.id < all.json.nextBefore));
    const eur = await call('GET', '/api/v1/invoices?currency=eur&period=2026-10&paymentStatus=pending&status=issued');
    assert.deepEqual(eur.json.invoices.map((i: { currency: string }) => i.currency), ['EUR']);
    const customerId = eur.json.invoices[0].customerId;
    assert.equal((await call('GET', `/api/v1/invoices?customerId=${customerId}`)).json.invoices.length, 1);
    const one = await call('GET', `/api/v1/invoices/${eur.json.invoices[0].id}`);
    assert.deepEqual(one.json, eur.json.invoices[0]);
    const lines = await call('GET', `/api/v1/invoices/${one.json.id}/lines`);
    assert.equal(lines.json.lines[0].totalMinor, 1071); // 9.00 EUR + 19% VAT
    assert.equal((await call('GET', '/api/v1/invoices/424242')).status, 404);
    assert.equal((await call('GET', '/api/v1/invoices/424242/lines')).status, 404);
    assert.equal((await call('GET', '/api/v1/invoices?currency=XYZ')).status, 400);
    assert.equal((await call('GET', '/api/v1/invoices?paymentStatus=late')).status, 400);
  });
  it('the overview counts the run, its invoices and money; the dashboard page is served and asks for a key', async () => {
    const o = await call('GET', '/api/v1/overview');
    assert.equal(o.status, 200, o.text);
    // The first run billed the three customers; the second (above) found them already invoiced.
    const [second, first] = o.json.runs;
    assert.equal(o.json.runs.length, 2);
    assert.equal(first.status, 'completed');
    assert.equal(first.shardsDone, first.shardsTotal);
    assert.equal(first.invoices, 3);
    assert.equal(second.invoices, 0);
    assert.equal(o.json.invoices.period, '2026-10');
    assert.equal(o.json.invoices.byPaymentStatus.pending, 3);
    const byCurrency = Object.fromEntries(o.json.invoices.byCurrency.map((c: { currency: string; count: number }) => [c.currency, c.count]));
    assert.deepEqual(byCurrency, { INR: 2, EUR: 1 });
    assert.equal(o.json.runTimeline.reduce((n: number, p: { invoices: number }) => n + p.invoices, 0), second.invoices);
    assert.equal(o.json.activity.length, 60);
    assert.ok(o.json.workers >= 1);
    assert.equal((await fetch(`${server.url}/api/v1/overview`)).status, 401);
    const page = await fetch(`${server.url}/dashboard`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /\/api\/v1\/overview/);
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/dashboard');
  });
});
