import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey, revokeApiKey } from '../../src/server/api-keys.ts';
import { waitFor } from '../support/cli.ts';
import { startTestApi, type TestApi } from './support.ts';

describe('API keys, scopes and rate limits', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ api: { keyCacheMs: 60_000 } });
  });
  after(async () => {
    await api.close();
  });

  it('stores only a SHA-256 of the key, never the key itself', async () => {
    const rows = (await api.db.pool.query('select key_hash, prefix from api_keys')).rows;
    for (const row of rows) {
      assert.equal(row.key_hash.length, 32);
      assert.ok(!Object.values(api.keys).some((k) => k === row.prefix));
    }
    const all = JSON.stringify((await api.db.pool.query('select * from api_keys')).rows);
    for (const key of Object.values(api.keys)) assert.ok(!all.includes(key.slice(key.indexOf('_', 3) + 1)));
  });

  it('answers 401 for a missing, malformed or unknown key; health and readiness need none', async () => {
    const missing = await api.request('GET', '/api/v1/customers', { key: null });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.code, 'unauthenticated');
    assert.equal((await api.request('GET', '/api/v1/customers', { key: 'bf_0000_nope' })).status, 401);
    assert.equal((await api.request('GET', '/api/v1/customers', { key: null, headers: { authorization: 'Basic abc' } })).status, 401);
    assert.equal((await api.request('GET', '/api/v1/customers', { key: null, headers: { authorization: `Bearer ${'x'.repeat(5000)}` } })).status, 401);
    assert.equal((await api.request('GET', '/api/v1/health', { key: null })).status, 200);
    const ready = await api.request('GET', '/api/v1/ready', { key: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.json.status, 'ready');
  });

  it('accepts the key as Bearer or X-Api-Key', async () => {
    assert.equal((await api.request('GET', '/api/v1/customers', { key: api.keys.read })).status, 200);
    assert.equal((await api.request('GET', '/api/v1/customers', { key: null, headers: { 'x-api-key': api.keys.read } })).status, 200);
  });

  it('answers 403 naming the missing scope', async () => {
    const reader = await api.request('POST', '/api/v1/products', { key: api.keys.read, body: { id: 'p1', name: 'P' } });
    assert.equal(reader.status, 403);
    assert.match(reader.json.message, /'write' scope/);
    assert.equal((await api.request('GET', '/api/v1/customers', { key: api.keys.write })).status, 403);
    assert.equal((await api.request('POST', '/api/v1/billing-runs', { key: api.keys.write, body: { period: '2026-11' } })).status, 403);
  });

  it('refuses a revoked key at once, although keys are cached for a minute', async () => {
    const created = await createApiKey(api.db.pool, { name: 'to revoke', scopes: ['read'] });
    assert.equal((await api.request('GET', '/api/v1/customers', { key: created.key })).status, 200);
    await revokeApiKey(api.db.pool, created.id);
    // The NOTIFY from the trigger reaches the server's listener asynchronously (milliseconds).
    await waitFor(async () => (await api.request('GET', '/api/v1/customers', { key: created.key })).status === 401, 5_000, 'revocation');
    const again = await api.request('GET', '/api/v1/customers', { key: created.key });
    assert.equal(again.status, 401);
  });

  it('limits each key to its rate, answering 429 with Retry-After; other keys are unaffected', async () => {
    const limited = await createApiKey(api.db.pool, { name: 'slow', scopes: ['read'], rateLimit: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.request('GET', '/api/v1/customers', { key: limited.key })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const refused = await api.request('GET', '/api/v1/customers', { key: limited.key });
    assert.equal(refused.json.code, 'rate_limited');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await api.request('GET', '/api/v1/customers', { key: api.keys.read })).status, 200);
  });

  it('records when a key was last used', async () => {
    await waitFor(async () => (await api.db.pool.query(`select last_used_at from api_keys where name = 'reader'`)).rows[0].last_used_at !== null, 5_000, 'last_used_at');
  });
});
