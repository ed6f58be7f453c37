/**
 * A billing run's status for the API: src/billing's progress counts, plus per-stage figures
 * from billing_shards (how many shards last reached each stage, and the stage_ms timings of
 * their last attempts) and the shard errors.
 */
import type pg from 'pg';
import { getRunProgress, shardErrors } from './run.ts';
import { runSql } from './run-sql.ts';

const STAGE_ORDER = ['load', 'dedupe', 'compute', 'validate', 'persist'];

interface StageRow {
  stage: string;
  shards_reached: number;
  total_ms: number;
  max_ms: number;
  shards_timed: number;
}


export async function runStatus(db: pg.Pool, runId: number) {
  const progress = await getRunProgress(db, runId);
  const stagesSql = runSql.stageStats(runId);
  const stages = (await db.query<StageRow>(stagesSql.text, stagesSql.values)).rows
    .map((r) => ({
      stage: r.stage, shardsReached: r.shards_reached, totalMs: r.total_ms, maxMs: r.max_ms, shardsTimed: r.shards_timed,
      avgMs: r.shards_timed > 0 ? Math.round(r.total_ms / r.shards_timed) : 0,
    }))
    .sort((a, b) => rank(a.stage) - rank(b.stage));
  const canceledSql = runSql.canceledShards(runId);
  const canceled = (await db.query<{ n: number }>(canceledSql.text, canceledSql.values)).rows[0]!.n;
  const errors = (await shardErrors(db, runId)).map((e) => ({
    shardNo: e.shard_no, status: e.status, stage: e.stage, attempts: e.attempts, lastError: e.last_error,
  }));
  return {
    runId: progress.runId, period: progress.period, status: progress.status,
    shards: {
      total: progress.shards, done: progress.shardsDone, running: progress.shardsRunning, retrying: progress.shardsRetrying,
      pending: progress.shardsPending, parked: progress.shardsParked, canceled,
    },
    customers: progress.customers, customersDone: progress.customersDone, invoices: progress.invoices, skipped: progress.skipped,
    alreadyInvoiced: progress.alreadyInvoiced, quarantined: progress.quarantined, lines: progress.lines,
    stages, errors, createdAt: progress.createdAt.toISOString(), finishedAt: progress.finishedAt?.toISOString() ?? null,
  };
}

function rank(stage: string): number {
  const i = STAGE_ORDER.indexOf(stage);
  return i === -1 ? STAGE_ORDER.length : i;
}
