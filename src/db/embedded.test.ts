import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { maskDatabaseUrl, openDatabase } from './connect.ts';
import { embeddedStatus, openEmbeddedPostgres, stopEmbeddedPostgres } from './embedded.ts';

/**
 * The embedded instance's lifecycle across processes: reuse, last-one-out stops it, a SIGKILLed
 * holder leaves it for the next command, a killed or hung server is restarted, concurrent opens
 * start one server, a normal (non-root) user runs it. Real processes, real Postgres.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const isRoot = process.getuid?.() === 0;
const TEST_USER = 'billflowtest';
delete process.env.DATABASE_URL; // these tests are about the embedded instance (children inherit this env)

// The postgres OS user (root case) must traverse to the data dirs: a 0755 base under the tmpdir.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'billflow-embedded-'));
fs.chmodSync(base, 0o755);
const childScript = path.join(base, 'child.mjs');
const dataDirs: string[] = [];
const children = new Set<ChildProcess>();

function newDataDir(name: string): string {
  const dir = path.join(base, name);
  dataDirs.push(dir);
  return dir;
}

interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

/** A Billflow-like process: opens the data dir, runs SQL lines from stdin, 'close' closes. */
class Child {
  readonly events: ChildEvent[] = [];
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  constructor(dataDir: string, user?: { uid: number; gid: number }) {
    this.process = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: user ? { ...process.env, HOME: path.dirname(dataDir) } : process.env,
      ...(user ?? {}),
    });
    children.add(this.process);
    readline.createInterface({ input: this.process.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as ChildEvent);
      } catch {
        this.stderr += `${line}\n`;
      }
    });
    this.process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        children.delete(this.process);
        resolve({ code, signal });
      });
    });
  }

  get logs(): string[] {
    return this.events.filter((e) => e.event === 'log').map((e) => String(e.line));
  }

  async waitFor(event: string, timeoutMs = 30_000): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.event === event || e.event === 'fatal');
      if (found?.event === 'fatal') assert.fail(`child failed: ${String(found.message)}\n${this.stderr}`);
      if (found) {
        this.events.splice(this.events.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline || this.process.exitCode !== null) {
        assert.fail(`child: no '${event}' event (exit ${this.process.exitCode})\n${this.stderr}`);
      }
      await sleep(20);
    }
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    this.process.stdin!.write(`${sql}\n`);
    const result = await this.waitFor('result');
    if (result.error) assert.fail(String(result.error));
    return result.rows as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    this.process.stdin!.write('close\n');
    await this.waitFor('closed');
    await this.exited;
  }
}

const CHILD_SOURCE = (connectUrl: string, pgUrl: string): string => `
import readline from 'node:readline';
import { openDatabase } from ${JSON.stringify(connectUrl)};
import pg from ${JSON.stringify(pgUrl)};
const emit = (e) => process.stdout.write(JSON.stringify(e) + '\\n');
let db;
try {
  db = await openDatabase({ dataDir: process.argv[2], log: (line) => emit({ event: 'log', line }) });
} catch (error) {
  emit({ event: 'fatal', message: String(error && error.stack || error) });
  process.exit(1);
}
emit({ event: 'open', pid: process.pid, port: Number(new URL(db.connectionString).port) });
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'close') {
    await db.close();
    emit({ event: 'closed' });
    break;
  }
  const client = new pg.Client({ connectionString: db.connectionString });
  try {
    await client.connect();
    emit({ event: 'result', rows: (await client.query(line)).rows });
  } catch (error) {
    emit({ event: 'result', error: String(error) });
  } finally {
    await client.end();
  }
}
process.exit(0);
`;

async function query(connectionString: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function portOf(connectionString: string): number {
  return Number(new URL(connectionString).port);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function sessionFiles(dataDir: string): string[] {
  try {
    return fs.readdirSync(path.join(dataDir, 'sessions')).sort();
  } catch {
    return [];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

function ensureTestUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(spawnSync('id', [flag, TEST_USER], { encoding: 'utf8' }).stdout);
  if (spawnSync('id', ['-u', TEST_USER]).status !== 0) {
    // (two test processes may race here; the loser's useradd fails, and the user exists either way)
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER]);
  }
  const user = { uid: id('-u'), gid: id('-g') };
  assert.ok(Number.isInteger(user.uid) && user.uid > 0, `could not create the OS user ${TEST_USER}`);
  return user;
}

before(() => {
  const require = createRequire(import.meta.url);
  const connectUrl = pathToFileURL(path.join(here, 'connect.ts')).href;
  fs.writeFileSync(childScript, CHILD_SOURCE(connectUrl, pathToFileURL(require.resolve('pg')).href), { mode: 0o644 });
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dataDirs) await stopEmbeddedPostgres(dir).catch(() => undefined);
  fs.rmSync(base, { recursive: true, force: true });
});

describe('embedded Postgres shared by several processes', () => {
  const dataDir = newDataDir('shared');
  let first: Awaited<ReturnType<typeof openDatabase>>;
  let second: Child;
  const logs: string[] = [];

  test('the first open initialises the cluster and starts a server', async () => {
    first = await openDatabase({ dataDir, log: (line) => logs.push(line) });
    assert.equal(first.embedded, true);
    assert.match(logs.join('\n'), /initialising embedded Postgres 18\.\d+ cluster/);
    assert.match(logs.join('\n'), /starting embedded Postgres 18\.\d+ in \S+pg on port \d+…/);
    assert.equal(fs.statSync(path.join(dataDir, 'pg-credentials.json')).mode & 0o777, 0o600);
    assert.deepEqual(sessionFiles(dataDir), [`${process.pid}.json`]);
    const status = embeddedStatus(dataDir);
    assert.equal(status.running, true);
    assert.equal(status.port, portOf(first.connectionString));

    const [settings] = await query(
      first.connectionString,
      `select current_setting('shared_buffers') as shared_buffers, current_setting('max_connections') as max_connections,
              current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as sockets,
              current_setting('synchronous_commit') as sync, current_setting('TimeZone') as tz`,
    );
    assert.deepEqual(settings, {
      shared_buffers: '256MB', max_connections: '200', listen: '127.0.0.1', sockets: '', sync: 'on', tz: 'UTC',
    });
    // test/support creates a database per test file through this URL.
    await query(first.connectionString, 'create database billflow_embedded_probe');
    await query(first.connectionString, 'drop database billflow_embedded_probe');
    await query(first.connectionString, "create table kept (note text); insert into kept values ('survives restarts')");
  });

  test('a second process reuses the running server', async () => {
    second = new Child(dataDir);
    const opened = await second.waitFor('open');
    assert.equal(opened.port, portOf(first.connectionString));
    assert.match(second.logs.join('\n'), /reusing embedded Postgres on port \d+/);
    assert.deepEqual(embeddedStatus(dataDir).sessions.sort(), [process.pid, second.process.pid].sort());
  });

  test('closing the first leaves the server up for the second', async () => {
    await first.close();
    assert.equal(embeddedStatus(dataDir).running, true);
    assert.deepEqual(await second.query('select note from kept'), [{ note: 'survives restarts' }]);
  });

  test('closing the last one stops the server', async () => {
    const { pid } = embeddedStatus(dataDir);
    await second.close();
    assert.equal(embeddedStatus(dataDir).running, false);
    assert.equal(processAlive(pid!), false);
    assert.deepEqual(sessionFiles(dataDir), []);
  });

  test('data survives a stop and start; opens in one process share one session', async () => {
    const startLogs: string[] = [];
    const a = await openDatabase({ dataDir, log: (line) => startLogs.push(line) });
    const b = await openDatabase({ dataDir });
    assert.match(startLogs.join('\n'), /starting embedded Postgres/);
    assert.equal(a.connectionString, b.connectionString);
    assert.deepEqual(await query(b.connectionString, 'select note from kept'), [{ note: 'survives restarts' }]);
    assert.deepEqual(sessionFiles(dataDir), [`${process.pid}.json`]);
    await a.close();
    assert.equal(embeddedStatus(dataDir).running, true);
    await b.close();
    await b.close(); // idempotent
    assert.equal(embeddedStatus(dataDir).running, false);
  });

  test('a SIGKILLed holder leaves the server running; the next open reuses it', async () => {
    const doomed = new Child(dataDir);
    const opened = await doomed.waitFor('open');
    doomed.process.kill('SIGKILL');
    await doomed.exited;
    const left = embeddedStatus(dataDir);
    assert.equal(left.running, true);
    assert.deepEqual(sessionFiles(dataDir), [`${doomed.process.pid}.json`]); // a dead session's file

    const logs2: string[] = [];
    const next = await openDatabase({ dataDir, log: (line) => logs2.push(line) });
    assert.equal(portOf(next.connectionString), opened.port);
    assert.match(logs2.join('\n'), /reusing embedded Postgres/);
    assert.deepEqual(await query(next.connectionString, 'select count(*)::int as n from kept'), [{ n: 1 }]);
    await next.close();
    assert.equal(embeddedStatus(dataDir).running, false);
    assert.equal(processAlive(left.pid!), false);
    assert.deepEqual(sessionFiles(dataDir), []); // the dead one's file was cleaned up
  });

  test('a killed server (stale postmaster.pid) is restarted cleanly', async () => {
    const holder = await openDatabase({ dataDir });
    const { pid } = embeddedStatus(dataDir);
    process.kill(pid!, 'SIGKILL');
    await waitUntil('the postmaster is gone', () => !processAlive(pid!));
    assert.ok(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')));

    const logs2: string[] = [];
    const next = await openDatabase({ dataDir, log: (line) => logs2.push(line) });
    assert.match(logs2.join('\n'), /left-behind postmaster\.pid[\s\S]*starting embedded Postgres/);
    assert.deepEqual(await query(next.connectionString, 'select note from kept'), [{ note: 'survives restarts' }]);
    await holder.close();
    await next.close();
    assert.equal(embeddedStatus(dataDir).running, false);
  });

  test('a server that does not answer is stopped and restarted', async () => {
    const timeouts = { answerMs: 1_500 };
    const holder = await openEmbeddedPostgres({ dataDir, timeouts });
    const hung = embeddedStatus(dataDir).pid!;
    process.kill(hung, 'SIGSTOP');
    const logs2: string[] = [];
    const next = await openEmbeddedPostgres({ dataDir, timeouts, log: (line) => logs2.push(line) });
    assert.match(logs2.join('\n'), /did not answer within 1\.5s[\s\S]*starting embedded Postgres/);
    await waitUntil('the hung server is gone', () => !processAlive(hung)); // reaped a moment later on a loaded machine
    assert.equal(next.started, true);
    assert.deepEqual(await query(next.connectionString, 'select count(*)::int as n from kept'), [{ n: 1 }]);
    await holder.close();
    await next.close();
    assert.equal(embeddedStatus(dataDir).running, false);
  });
});

describe('embedded Postgres under concurrency and users', () => {
  test('concurrent opens from several processes start exactly one server', async () => {
    const dataDir = newDataDir('concurrent');
    const crowd = Array.from({ length: 4 }, () => new Child(dataDir));
    const ports = await Promise.all(crowd.map(async (child) => (await child.waitFor('open', 45_000)).port));
    assert.equal(new Set(ports).size, 1);
    const allLogs = crowd.flatMap((child) => child.logs);
    assert.equal(allLogs.filter((line) => line.startsWith('initialising')).length, 1);
    assert.equal(allLogs.filter((line) => line.startsWith('starting')).length, 1);
    assert.equal(allLogs.filter((line) => line.startsWith('reusing')).length, 3);
    assert.equal(embeddedStatus(dataDir).sessions.length, 4);
    await Promise.all(crowd.map((child) => child.close()));
    assert.equal(embeddedStatus(dataDir).running, false);
    assert.deepEqual(sessionFiles(dataDir), []);
  });

  test('a stale lock is taken over; a live holder makes others wait, bounded', async () => {
    const dataDir = newDataDir('locks');
    fs.mkdirSync(dataDir, { recursive: true });
    const lock = path.join(dataDir, 'lock');
    const holder = (pid: number): string => JSON.stringify({ pid, startTime: null, token: 'x', command: 'billflow run' });
    fs.writeFileSync(lock, holder(1)); // pid 1 is always alive
    await assert.rejects(
      openEmbeddedPostgres({ dataDir, timeouts: { lockMs: 300 } }),
      /timed out after 0\.3s waiting for \S+lock, held by pid 1 \(billflow run\)/,
    );
    const dead = spawnSync('true').pid!; // a pid that has just exited
    fs.writeFileSync(lock, holder(dead));
    const db = await openEmbeddedPostgres({ dataDir });
    assert.equal(fs.existsSync(lock), false);
    await db.close();
  });

  test('runs as a normal (non-root) user', { skip: !isRoot && 'already running as a normal user' }, async () => {
    const user = ensureTestUser();
    const home = newDataDir('normal-user');
    fs.mkdirSync(home, { mode: 0o700 });
    fs.chownSync(home, user.uid, user.gid);
    const dataDir = path.join(home, 'data');
    const child = new Child(dataDir, user);
    await child.waitFor('open', 45_000);
    assert.match(child.logs.join('\n'), /starting embedded Postgres/);
    const { pid } = embeddedStatus(dataDir);
    assert.equal(fs.statSync(`/proc/${pid}`).uid, user.uid); // the server runs as that user, not postgres
    assert.deepEqual(await child.query('select 1 + 1 as two'), [{ two: 2 }]);
    await child.close();
    assert.equal(embeddedStatus(dataDir).running, false);
  });
});

describe('an external Postgres through a URL', () => {
  test('DATABASE_URL (or databaseUrl) is checked and used as is; nothing embedded starts', async () => {
    const dataDir = newDataDir('external');
    const server = await openDatabase({ dataDir });
    const unused = path.join(base, 'never-created');
    try {
      const direct = await openDatabase({ databaseUrl: server.connectionString, dataDir: unused });
      assert.deepEqual({ ...direct, close: undefined }, {
        connectionString: server.connectionString, embedded: false, close: undefined,
      });
      await direct.close();
      process.env.DATABASE_URL = server.connectionString;
      const fromEnv = await openDatabase({ dataDir: unused });
      assert.equal(fromEnv.embedded, false);
      assert.equal(fs.existsSync(unused), false);
      assert.equal(embeddedStatus(dataDir).running, true); // closing an external handle touched nothing
    } finally {
      delete process.env.DATABASE_URL;
      await server.close();
    }
  });

  test('an unreachable URL fails with the URL named, password masked', async () => {
    await assert.rejects(openDatabase({ databaseUrl: 'postgresql://bill:s3cret@127.0.0.1:1/billing' }), (error: Error) => {
      assert.match(error.message, /cannot connect to Postgres at postgresql:\/\/bill:\*\*\*@127\.0\.0\.1:1\/billing: /);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
    assert.equal(maskDatabaseUrl('host=db password=s3cret dbname=x'), 'host=db password=*** dbname=x');
    assert.equal(maskDatabaseUrl('postgres://u@h/db'), 'postgres://u@h/db');
  });
});
