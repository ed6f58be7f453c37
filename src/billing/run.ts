import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { parsePeriod } from './calendar.ts';
import { runSql } from './run-sql.ts';
import type { RunOptions } from './shard.ts';
import { unlockDeadWorkers } from './heartbeat.ts';
import { shardStateSql } from './shard-sql.ts';

export interface CreateRunInput {
  period: string;
  shardSize: number;
  maxAttempts: number;
  netTermsDays: number;
  /** The run's clock: invoices are issued on this date (YYYY-MM-DD). */
  issueDate: string;
  trigger?: 'cli' | 'api' | 'cron';
}

export interface RunProgress {
  runId: number;
  period: string;
  status: 'running' | 'completed' | 'completed_with_errors' | 'canceled';
  shards: number;
  shardsDone: number;
  shardsParked: number;
  shardsRunning: number;
  shardsRetrying: number;
  shardsPending: number;
  customers: number;
  customersDone: number;
  invoices: number;
  skipped: number;
  alreadyInvoiced: number;
  quarantined: number;
  lines: number;
  createdAt: Date;
  finishedAt: Date | null;
}

async function one<T extends pg.QueryResultRow>(db: pg.Pool | pg.PoolClient, sql: { text: string; values: unknown[] }): Promise<T> {
  const row = (await db.query<T>(sql.text, sql.values)).rows[0];
  if (!row) throw new BillflowError('not_found', 'no row', { httpStatus: 404 });
  return row;
}

/**
 * Plans a run: one row, its shards (id ranges) and one queued job per shard — in a single
 * transaction, so a run is either fully planned and queued or not there at all.
 */
export async function createRun(pool: pg.Pool, input: CreateRunInput): Promise<{ runId: number; shards: number; customers: number }> {
  parsePeriod(input.period);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.issueDate)) {
    throw new BillflowError('invalid_input', `issueDate: expected YYYY-MM-DD, got '${input.issueDate}'`, { details: [{ field: 'issueDate', message: 'expected YYYY-MM-DD' }] });
  }
  const client = await pool.connect();
  try {
    await client.query('begin');
    const options: RunOptions & { maxAttempts: number; trigger: string } = {
      issueDate: input.issueDate, netTermsDays: input.netTermsDays, maxAttempts: input.maxAttempts,
      trigger: input.trigger ?? 'cli',
    };
    const { id: runId } = await one<{ id: number }>(client, runSql.insertRun(input.period, input.shardSize, options));
    await client.query(runSql.planShards(runId, input.shardSize).text, runSql.planShards(runId, input.shardSize).values);
    const totals = await one<{ shards_total: number; customers_total: number }>(client, runSql.setTotals(runId));
    await client.query(runSql.queueShards(runId, ['pending'], input.maxAttempts).text, runSql.queueShards(runId, ['pending'], input.maxAttempts).values);
    if (totals.shards_total === 0) {
      await client.query(`update billing_runs set status = 'completed', finished_at = now() where id = $1`, [runId]);
    }
    await client.query('commit');
    return { runId, shards: totals.shards_total, customers: totals.customers_total };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function getRunProgress(pool: pg.Pool, runId: number): Promise<RunProgress> {
  const run = await pool.query(runSql.runRow(runId).text, runSql.runRow(runId).values);
  const r = run.rows[0];
  if (!r) throw new BillflowError('run_not_found', `billing run ${runId} does not exist`, { httpStatus: 404, details: [{ field: 'runId', message: 'not found' }] });
  const s = await one<Record<string, number>>(pool, runSql.stats(runId));
  return {
    runId, period: r.period, status: r.status,
    shards: s.shards!, shardsDone: s.done!, shardsParked: s.parked!, shardsRunning: s.running!,
    shardsRetrying: s.retrying!, shardsPending: s.pending!,
    customers: Number(r.customers_total), customersDone: s.customers_done!, invoices: s.invoices!, skipped: s.skipped!, alreadyInvoiced: s.already_invoiced!,
    quarantined: s.quarantined!, lines: s.lines!, createdAt: r.created_at, finishedAt: r.finished_at,
  };
}

/**
 * Continues a run: jobs held by dead workers are unlocked, parked (and canceled) shards are reset
 * and queued again, and every unfinished shard gets its job back if it lost it. Shards already
 * done stay done; their customers are never billed twice (unique key + dedupe stage).
 */
export async function resumeRun(pool: pg.Pool, runId: number, deadAfterMs: number): Promise<{ requeued: number; unlockedWorkers: number }> {
  const run = (await pool.query(runSql.runRow(runId).text, runSql.runRow(runId).values)).rows[0];
  if (!run) throw new BillflowError('run_not_found', `billing run ${runId} does not exist`, { httpStatus: 404, details: [{ field: 'runId', message: 'not found' }] });
  const unlockedWorkers = await unlockDeadWorkers(pool, deadAfterMs);
  const maxAttempts = Number(run.options?.maxAttempts ?? 5);
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(runSql.reopenRun(runId).text, runSql.reopenRun(runId).values);
    await client.query(runSql.resetParked(runId).text, runSql.resetParked(runId).values);
    // add_job with an existing unlocked key updates that job in place; a locked one (a live
    // worker has it) is left to that worker. Either way a shard has at most one live job.
    const queued = await one<{ queued: number }>(client, runSql.queueShards(runId, ['pending', 'retrying', 'running'], maxAttempts));
    // Nothing left to do (every shard done): close the run again instead of leaving it open.
    await client.query(shardStateSql.finalizeRun(runId).text, shardStateSql.finalizeRun(runId).values);
    await client.query('commit');
    return { requeued: Number(queued.queued), unlockedWorkers };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function cancelRun(pool: pg.Pool, runId: number): Promise<{ canceledShards: number }> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const run = await client.query(runSql.cancelRun(runId).text, runSql.cancelRun(runId).values);
    if (run.rowCount === 0) {
      throw new BillflowError('run_not_running', `billing run ${runId} is not running`, { httpStatus: 409 });
    }
    const shards = await client.query<{ shard_no: number }>(runSql.cancelShards(runId).text, runSql.cancelShards(runId).values);
    const nos = shards.rows.map((r) => r.shard_no);
    if (nos.length > 0) await client.query(runSql.removeJobs(runId, nos).text, runSql.removeJobs(runId, nos).values);
    await client.query('commit');
    return { canceledShards: nos.length };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function shardErrors(pool: pg.Pool, runId: number) {
  const sql = runSql.stageErrors(runId);
  return (await pool.query<{ shard_no: number; status: string; stage: string; attempts: number; last_error: string }>(sql.text, sql.values)).rows;
}

export async function listRuns(pool: pg.Pool, limit = 20) {
  const sql = runSql.listRuns(limit);
  return (await pool.query(sql.text, sql.values)).rows;
}
