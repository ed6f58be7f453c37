import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startTestApi, type TestApi } from './support.ts';

async function count(api: TestApi, table: string): Promise<number> {
  return (await api.db.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n;
}

describe('Idempotency-Key on POST (Stripe semantics)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('replays the first response byte for byte, status included, and creates one record', async () => {
    const body = { name: 'Idem Potent', email: 'idem@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in' };
    const headers = { 'idempotency-key': 'create-idem-1' };
    const first = await api.request('POST', '/api/v1/customers', { body, headers });
    const second = await api.request('POST', '/api/v1/customers', { body, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('content-type'), first.headers.get('content-type'));
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal((await api.db.pool.query(`select count(*)::int as n from customers where email = 'idem@example.com'`)).rows[0].n, 1);
  });

  it('replays an error answer too (a 404 is a result), but not a validation failure', async () => {
    const headers = { 'idempotency-key': 'sub-404' };
    const body = { customerId: 999999, planId: 'nope', startedOn: '2026-11-01' };
    const first = await api.request('POST', '/api/v1/subscriptions', { body, headers });
    const second = await api.request('POST', '/api/v1/subscriptions', { body, headers });
    assert.equal(first.status, 404);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    // A 400 releases the key: the corrected request with the same key runs.
    const key = { 'idempotency-key': 'fix-me' };
    const bad = await api.request('POST', '/api/v1/products', { body: { id: 'fixed', name: '' }, headers: key });
    assert.equal(bad.status, 400);
    const good = await api.request('POST', '/api/v1/products', { body: { id: 'fixed', name: 'Fixed' }, headers: key });
    assert.equal(good.status, 201, good.text);
  });

  it('answers 409 for the same key with a different body, path or method', async () => {
    const headers = { 'idempotency-key': 'prod-1' };
    assert.equal((await api.request('POST', '/api/v1/products', { body: { id: 'p-1', name: 'One' }, headers })).status, 201);
    const otherBody = await api.request('POST', '/api/v1/products', { body: { id: 'p-2', name: 'Two' }, headers });
    assert.equal(otherBody.status, 409);
    assert.equal(otherBody.json.code, 'idempotency_key_reused');
    const otherPath = await api.request('POST', '/api/v1/metrics', { body: { id: 'p-1', name: 'One' }, headers });
    assert.equal(otherPath.status, 409);
    // Byte for byte: the same object with another key order is another request.
    const reordered = await api.request('POST', '/api/v1/products', { raw: '{"name":"One","id":"p-1"}', headers: { ...headers, 'content-type': 'application/json' } });
    assert.equal(reordered.status, 409);
    assert.equal(await count(api, `products where id like 'p-%'`), 1);
  });

  it('scopes keys per API key: the same key string from two API keys is two requests', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await api.request('POST', '/api/v1/products', { body: { id: 'scoped-a', name: 'A' }, headers, key: api.keys.all });
    const b = await api.request('POST', '/api/v1/products', { body: { id: 'scoped-b', name: 'B' }, headers, key: api.keys.write });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
  });

  it('lets exactly one of many concurrent requests with one key run; the others wait or get 409 in progress', async () => {
    const customer = await api.request('POST', '/api/v1/customers', { body: { name: 'Racer', email: 'race@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in' } });
    const before = await count(api, 'invoices');
    const body = { userId: customer.json.id, items: [{ productId: 'R', quantity: 1, price: 10, productName: 'Race' }] };
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/api/v1/bill/genBill', { body, headers: { 'idempotency-key': 'race-1' } })));
    const statuses = answers.map((a) => a.status);
    assert.ok(statuses.every((s) => s === 201 || s === 409), statuses.join());
    assert.ok(statuses.includes(201));
    for (const a of answers.filter((x) => x.status === 409)) assert.equal(a.json.code, 'idempotency_key_in_use');
    const numbers = new Set(answers.filter((a) => a.status === 201).map((a) => a.json.number));
    assert.equal(numbers.size, 1);
    assert.equal(await count(api, 'invoices'), before + 1);
  });

  it('answers 409 in progress while a streamed import with the key is still running', async () => {
    const port = Number(new URL(api.url).port);
    const first = httpRequest({
      host: '127.0.0.1', port, method: 'POST', path: '/api/v1/customers/import',
      headers: { authorization: `Bearer ${api.keys.all}`, 'content-type': 'application/x-ndjson', 'idempotency-key': 'slow-import' },
    });
    const done = new Promise<{ status: number; text: string }>((resolve, reject) => {
      first.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      first.on('error', reject);
    });
    first.write('{"name":"Slow One","email":"slow1@example.com","currency":"INR","country":"IN","taxRegion":"IN-MH","legalEntityId":"in"}\n');
    await new Promise((r) => setTimeout(r, 300));
    const concurrent = await api.request('POST', '/api/v1/customers/import', {
      raw: '{"name":"Other","email":"other@example.com","currency":"INR","country":"IN","legalEntityId":"in"}\n',
      headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'slow-import' },
    });
    assert.equal(concurrent.status, 409, concurrent.text);
    assert.equal(concurrent.json.code, 'idempotency_key_in_use');
    first.end('{"name":"Slow Two","email":"slow2@example.com","currency":"INR","country":"IN","taxRegion":"IN-MH","legalEntityId":"in"}\n');
    const result = await done;
    assert.equal(result.status, 201, result.text);
    assert.deepEqual(JSON.parse(result.text), { imported: 2 });
    const replay = await api.request('POST', '/api/v1/customers/import', {
      raw: '{"name":"Slow One","email":"slow1@example.com","currency":"INR","country":"IN","taxRegion":"IN-MH","legalEntityId":"in"}\n{"name":"Slow Two","email":"slow2@example.com","currency":"INR","country":"IN","taxRegion":"IN-MH","legalEntityId":"in"}\n',
      headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'slow-import' },
    });
    assert.equal(replay.status, 201);
    assert.equal(replay.text, result.text);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(await count(api, `customers where email like 'slow%'`), 2);
  });

  it('forgets keys after 24 hours', async () => {
    const headers = { 'idempotency-key': 'old-key' };
    assert.equal((await api.request('POST', '/api/v1/products', { body: { id: 'old-1', name: 'Old' }, headers })).status, 201);
    await api.db.pool.query(`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'old-key'`);
    const reused = await api.request('POST', '/api/v1/products', { body: { id: 'old-2', name: 'New' }, headers });
    assert.equal(reused.status, 201);
    await api.db.pool.query(`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'old-key'`);
    assert.equal(await api.app.idempotency.purge(), 1);
  });

  it('rejects a malformed key with 400', async () => {
    const response = await api.request('POST', '/api/v1/products', { body: { id: 'k', name: 'K' }, headers: { 'idempotency-key': 'x'.repeat(129) } });
    assert.equal(response.status, 400);
    assert.equal(response.json.details[0].field, 'Idempotency-Key');
  });
});
