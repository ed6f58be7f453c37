import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { runCli, spawnCli, waitFor } from './support/cli.ts';
import { validateCron } from '../src/billing/schedule.ts';

describe('monthly billing on a cron schedule, through the job engine', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('rejects a malformed cron with the field named, and stores nothing', async () => {
    assert.throws(() => validateCron('every month'), /cron: expected 5 fields/);
    const r = await runCli(['schedule', 'set', '61 25 * * *'], { databaseUrl: db.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cron: expected 5 fields/);
    assert.equal((await db.pool.query('select count(*)::int as n from schedules')).rows[0].n, 0);
  });

  it('a worker turns the schedule into graphile-worker cron, and the cron job bills the previous month once', async () => {
    const seeded = await runCli(['seed', '--customers', '300', '--period', '2026-10', '--json'], { databaseUrl: db.url });
    assert.equal(seeded.code, 0, seeded.stderr);
    const set = await runCli(['schedule', 'set', '0 2 1 * *'], { databaseUrl: db.url });
    assert.equal(set.code, 0, set.stderr);
    const list = await runCli(['schedule', 'list'], { databaseUrl: db.url });
    assert.match(list.stdout, /monthly-run\t0 2 1 \* \*\ton/);

    const worker = spawnCli(['worker', '--threads', '1'], { databaseUrl: db.url });
    try {
      // The worker registers the crontab with graphile-worker (known_crontabs).
      await waitFor(async () => (await db.pool.query(`select count(*)::int as n from graphile_worker._private_known_crontabs where identifier = 'monthly-run'`)).rows[0].n === 1, 30_000, 'the crontab to be registered');
      // Fire it as cron would at 2026-11-01 02:00 UTC: the job cron enqueues, with its timestamp.
      const fire = `select graphile_worker.add_job('billing_monthly_run', json_build_object('_cron', json_build_object('ts', '2026-11-01T02:00:00.000Z')), job_key := 'monthly-run')`;
      await db.pool.query(fire);
      await waitFor(async () => (await db.pool.query(`select count(*)::int as n from billing_runs where status = 'completed'`)).rows[0].n === 1, 60_000, 'the scheduled run to complete');
      const run = (await db.pool.query(`select period, options->>'trigger' as trigger, options->>'issueDate' as issue from billing_runs`)).rows[0];
      assert.deepEqual(run, { period: '2026-10', trigger: 'cron', issue: '2026-11-01' });
      assert.ok((await db.pool.query(`select count(*)::int as n from invoices where period = '2026-10'`)).rows[0].n > 250);
      // A repeated firing (a retry, or a second worker's cron) does not plan a second run.
      await db.pool.query(fire);
      await waitFor(async () => (await db.pool.query('select count(*)::int as n from graphile_worker.jobs where task_identifier = \'billing_monthly_run\'')).rows[0].n === 0, 30_000, 'the repeated job to finish');
      assert.equal((await db.pool.query('select count(*)::int as n from billing_runs')).rows[0].n, 1);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});
