import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('billflow serve and billflow keys (the real binary)', () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let url = '';
  let output = '';
  before(async () => {
    db = await createTestDatabase();
    server = spawnCli(['serve', '--port', '0', '--threads', '1'], { databaseUrl: db.url });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    await waitFor(async () => /listening on (http:\/\/\S+)/.test(output), 60_000, `the server to listen\n${output}`);
    url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
  });
  after(async () => {
    if (server.exitCode === null) server.kill('SIGKILL');
    await db.drop();
  });

  it('serves health without a key and the API with a key from `billflow keys create`', async () => {
    assert.match(output, /1 worker thread/);
    assert.equal((await fetch(`${url}/api/v1/health`)).status, 200);
    const created = await runCli(['keys', 'create', '--scopes', 'read,write', '--name', 'ci'], { databaseUrl: db.url });
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^bf_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /not shown again/);
    const response = await fetch(`${url}/api/v1/user/register`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstname: 'Cli', lastname: 'User', email: 'cli@example.com', mobile: '+919800000000' }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const list = await runCli(['keys', 'list', '--json'], { databaseUrl: db.url });
    const keys = JSON.parse(list.stdout) as { id: number; name: string; scopes: string[]; key?: string }[];
    assert.deepEqual(keys.map((k) => [k.name, k.scopes.join(','), 'key' in k]), [['ci', 'read,write', false]]);
    const revoked = await runCli(['keys', 'revoke', String(keys[0]!.id)], { databaseUrl: db.url });
    assert.equal(revoked.code, 0, revoked.stderr);
    await waitFor(async () => (await fetch(`${url}/api/v1/customers`, { headers: { authorization: `Bearer ${key}` } })).status === 401, 5_000, 'revocation');
  });

  it('rejects bad scopes at creation and stops cleanly on SIGTERM', async () => {
    const bad = await runCli(['keys', 'create', '--scopes', 'read,root'], { databaseUrl: db.url });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /scopes\[1\]/);
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
