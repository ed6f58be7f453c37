import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { runCli, spawnCli, waitFor } from './support/cli.ts';

const PERIOD = '2026-11';
const ISSUE = '2026-12-01';

async function count(db: TestDatabase, sql: string, values: unknown[] = []): Promise<number> {
  return Number((await db.pool.query(sql, values)).rows[0].n);
}

async function seed(db: TestDatabase, customers: number, seedValue = 7): Promise<void> {
  const r = await runCli(['seed', '--customers', String(customers), '--seed', String(seedValue), '--period', PERIOD, '--json'], { databaseUrl: db.url });
  assert.equal(r.code, 0, r.stderr);
}

function runJson(stdout: string): Record<string, number | string> {
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last);
}

/** Every customer is accounted for exactly once: invoiced, quarantined or skipped (nothing to bill). */
async function assertExactlyOnce(db: TestDatabase): Promise<{ invoices: number; quarantined: number }> {
  const dupes = await count(db, `select count(*) as n from (select customer_id from invoices where period = $1 and source = 'cycle' group by 1 having count(*) > 1) d`, [PERIOD]);
  assert.equal(dupes, 0, 'a customer has two invoices for the period');
  const both = await count(db, `select count(*) as n from invoices i join quarantined_invoices q using (customer_id, period, source) where i.period = $1`, [PERIOD]);
  assert.equal(both, 0, 'a customer is both invoiced and quarantined');
  const numbers = await count(db, 'select count(*) - count(distinct number) as n from invoices');
  assert.equal(numbers, 0, 'duplicate invoice number');
  const events = await count(db, `select count(*) as n from invoices i where not exists (select 1 from outbox_events e where e.topic = 'invoice.issued' and e.aggregate_id = i.id)`);
  assert.equal(events, 0, 'an invoice without its outbox event');
  const orphans = await count(db, 'select count(*) as n from invoice_lines l where not exists (select 1 from invoices i where i.id = l.invoice_id)');
  assert.equal(orphans, 0, 'an invoice line without its invoice');
  // invoices.customer_id and run_id have no foreign keys (0001_core.sql says why): none may dangle.
  const strays = await count(db, `select count(*) as n from invoices i where not exists (select 1 from customers c where c.id = i.customer_id)
    or (i.run_id is not null and not exists (select 1 from billing_runs r where r.id = i.run_id))`);
  assert.equal(strays, 0, 'an invoice whose customer or run does not exist');
  const lineless = await count(db, 'select count(*) as n from invoices i where not exists (select 1 from invoice_lines l where l.invoice_id = i.id)');
  assert.equal(lineless, 0, 'an invoice without lines');
  const extraEvents = await count(db, `select count(*) - count(distinct aggregate_id) as n from outbox_events where topic = 'invoice.issued'`);
  assert.equal(extraEvents, 0, 'an invoice announced twice');
  return {
    invoices: await count(db, `select count(*) as n from invoices where period = $1`, [PERIOD]),
    quarantined: await count(db, `select count(*) as n from quarantined_invoices where period = $1`, [PERIOD]),
  };
}

describe('billing run on real Postgres', { concurrency: false }, () => {
  let reference: TestDatabase;
  let expected: { invoices: number; quarantined: number };

  before(async () => {
    reference = await createTestDatabase();
    await seed(reference, 3000);
  });
  after(async () => {
    await reference.drop();
  });

  it('bills every customer once, and a rerun creates nothing and says so', async () => {
    const first = await runCli(['run', '--period', PERIOD, '--issue-date', ISSUE, '--shard-size', '400', '--workers', '2', '--json'], { databaseUrl: reference.url });
    assert.equal(first.code, 0, first.stderr);
    const s1 = runJson(first.stdout);
    assert.equal(s1.customers, 3000);
    assert.equal(s1.failedShards, 0);
    assert.ok(Number(s1.invoices) > 2500, `invoices ${s1.invoices}`);
    assert.equal(Number(s1.invoices) + Number(s1.skipped) + Number(s1.quarantined), 3000);
    expected = await assertExactlyOnce(reference);
    assert.equal(expected.invoices, s1.invoices);
    assert.ok(expected.quarantined >= 1, 'the seed plants invalid customers; some must be quarantined');
    const lines = await count(reference, 'select count(*) as n from invoice_lines');
    assert.ok(lines / expected.invoices >= 4, `average lines per invoice ${lines / expected.invoices}`);

    const again = await runCli(['run', '--period', PERIOD, '--issue-date', ISSUE, '--shard-size', '400', '--workers', '1'], { databaseUrl: reference.url });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /invoices\s+0 created/);
    assert.match(again.stdout, /nothing new/);
    assert.deepEqual(await assertExactlyOnce(reference), expected);

    // Resuming a finished run changes nothing and leaves it closed.
    const resumed = await runCli(['run', '--resume', String(s1.runId), '--json'], { databaseUrl: reference.url });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(runJson(resumed.stdout).status, 'completed');
    assert.deepEqual(await assertExactlyOnce(reference), expected);
  });

  it('a worker process killed mid-run, then --resume, ends with exactly one invoice per customer', async () => {
    const db = await createTestDatabase();
    try {
      await seed(db, 3000);
      const planned = await runCli(['run', '--period', PERIOD, '--issue-date', ISSUE, '--shard-size', '100', '--detach', '--json'], { databaseUrl: db.url });
      assert.equal(planned.code, 0, planned.stderr);
      const { runId } = JSON.parse(planned.stdout);
      const worker = spawnCli(['worker', '--threads', '1'], { databaseUrl: db.url });
      await waitFor(async () => (await count(db, `select count(*) as n from billing_shards where run_id = $1 and status = 'done'`, [runId])) >= 3, 60_000, 'some shards done');
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      const doneBefore = await count(db, `select count(*) as n from billing_shards where run_id = $1 and status = 'done'`, [runId]);
      assert.ok(doneBefore < 30, 'the worker was killed before the run ended');
      const resumed = await runCli(['run', '--resume', String(runId), '--workers', '2', '--json'], { databaseUrl: db.url });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(runJson(resumed.stdout).status, 'completed');
      assert.deepEqual(await assertExactlyOnce(db), expected);
    } finally {
      await db.drop();
    }
  });

  it('two worker processes sharing one run produce no duplicates', async () => {
    const db = await createTestDatabase();
    try {
      await seed(db, 3000);
      const planned = await runCli(['run', '--period', PERIOD, '--issue-date', ISSUE, '--shard-size', '100', '--detach', '--json'], { databaseUrl: db.url });
      const { runId } = JSON.parse(planned.stdout);
      const workers = [spawnCli(['worker', '--threads', '1'], { databaseUrl: db.url }), spawnCli(['worker', '--threads', '1'], { databaseUrl: db.url })];
      await waitFor(async () => (await count(db, `select count(*) as n from billing_runs where id = $1 and status <> 'running'`, [runId])) === 1, 90_000, 'the run to finish');
      const sharedBy = await count(db, `select count(distinct processed_by) as n from billing_shards where run_id = $1`, [runId]);
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
      assert.equal(sharedBy, 2, 'both worker processes took shards of the run');
      assert.equal(await count(db, `select count(*) as n from graphile_worker.jobs where task_identifier = 'billing_shard'`), 0, 'no shard job left behind');
      assert.deepEqual(await assertExactlyOnce(db), expected);
    } finally {
      await db.drop();
    }
  });

  it('a failing shard retries with backoff, is parked, and --resume finishes it after the fix', async () => {
    const db = await createTestDatabase();
    try {
      await seed(db, 600);
      const victim = await count(db, `select min(id) + 250 as n from customers`);
      await db.pool.query(`create function fail_victim() returns trigger language plpgsql as $$
        begin if new.customer_id = ${victim} then raise exception 'injected fault for customer %', new.customer_id; end if; return new; end $$`);
      await db.pool.query(`create trigger fail_victim before insert on invoices for each row execute function fail_victim()`);
      const run = await runCli(['run', '--period', PERIOD, '--issue-date', ISSUE, '--shard-size', '100', '--max-attempts', '2', '--workers', '2'], { databaseUrl: db.url });
      assert.equal(run.code, 3, run.stdout + run.stderr);
      assert.match(run.stdout, /failed shards 1/);
      assert.match(run.stdout, /parked at persist after 2 attempts: injected fault/);
      const shard = (await db.pool.query(`select status, attempts, stage, last_error from billing_shards where $1 between from_customer_id and to_customer_id`, [victim])).rows[0];
      assert.deepEqual([shard.status, shard.attempts, shard.stage], ['parked', 2, 'persist']);
      // Its later stages halted: nothing of that shard was written; the other shards went on.
      assert.equal(await count(db, `select count(*) as n from invoices i join billing_shards s on i.customer_id between s.from_customer_id and s.to_customer_id where s.status = 'parked'`), 0);
      assert.ok((await count(db, 'select count(*) as n from invoices')) > 400);
      await db.pool.query('drop trigger fail_victim on invoices');
      const runId = (await db.pool.query('select max(id) as id from billing_runs')).rows[0].id;
      const resumed = await runCli(['run', '--resume', String(runId), '--json'], { databaseUrl: db.url });
      assert.equal(resumed.code, 0, resumed.stderr);
      const s = runJson(resumed.stdout);
      assert.equal(s.status, 'completed');
      assert.equal(s.failedShards, 0);
      await assertExactlyOnce(db);
      assert.equal(await count(db, `select count(*) as n from invoices where customer_id = $1`, [victim]) + await count(db, `select count(*) as n from quarantined_invoices where customer_id = $1`, [victim]), 1);
    } finally {
      await db.drop();
    }
  });

  it('customers and runs are never deleted, so invoices never lose them', async () => {
    const customerId = (await reference.pool.query('select customer_id from invoices limit 1')).rows[0].customer_id;
    const runId = (await reference.pool.query('select run_id from invoices where run_id is not null limit 1')).rows[0].run_id;
    await assert.rejects(reference.pool.query('delete from customers where id = $1', [customerId]), /customers are never deleted/);
    await assert.rejects(reference.pool.query('truncate customers cascade'), /customers are never deleted/);
    await assert.rejects(reference.pool.query('delete from billing_runs where id = $1', [runId]), /billing runs are never deleted/);
    assert.equal(await count(reference, 'select count(*) as n from customers where id = $1', [customerId]), 1);
  });

  it('bad input gets a clear error naming the field, and nothing is written', async () => {
    const db = await createTestDatabase();
    try {
      for (const [args, pattern] of [
        [['run', '--period', '2026-13'], /period: expected YYYY-MM/],
        [['run', '--period', 'nov-2026'], /period: expected YYYY-MM/],
        [['run', '--period', '2026-11', '--shard-size', '-5'], /--shard-size: expected a whole number/],
        [['seed', '--customers', 'many'], /--customers: expected a whole number/],
      ] as const) {
        const r = await runCli([...args], { databaseUrl: db.url });
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, pattern);
      }
      assert.equal(await count(db, 'select count(*) as n from billing_runs'), 0);
      assert.equal(await count(db, 'select count(*) as n from customers'), 0);
    } finally {
      await db.drop();
    }
  });
});
