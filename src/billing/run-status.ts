/**
 * A billing run's status for the API: src/billing's progress counts, plus per-stage figures
 * from billing_shards (how many shards last reached each stage, and the stage_ms timings of
 * their last attempts) and the shard errors.
 */
import type pg from 'pg';
import { getRunProgress, shardErrors } from './run.ts';

const STAGE_ORDER = ['load', 'dedupe', 'compute', 'validate', 'persist'];

interface StageRow {
  stage: string;
  shards_reached: number;
  total_ms: number;
  max_ms: number;
  shards_timed: number;
}

const STAGES_SQL = `
  with reached as (
    select stage, count(*)::int as n from billing_shards where run_id = $1 and stage is not null group by stage
  ), timed as (
    select t.key as stage, sum(t.value::numeric)::bigint as total_ms, max(t.value::numeric)::bigint as max_ms, count(*)::int as n
    from billing_shards s, jsonb_each_text(s.stage_ms) t
    where s.run_id = $1 and s.stage_ms is not null group by t.key
  )
  select coalesce(r.stage, t.stage) as stage, coalesce(r.n, 0) as shards_reached, coalesce(t.total_ms, 0) as total_ms,
         coalesce(t.max_ms, 0) as max_ms, coalesce(t.n, 0) as shards_timed
  from reached r full join timed t on t.stage = r.stage`;

export async function runStatus(db: pg.Pool, runId: number) {
  const progress = await getRunProgress(db, runId);
  const stages = (await db.query<StageRow>(STAGES_SQL, [runId])).rows
    .map((r) => ({
      stage: r.stage, shardsReached: r.shards_reached, totalMs: r.total_ms, maxMs: r.max_ms, shardsTimed: r.shards_timed,
      avgMs: r.shards_timed > 0 ? Math.round(r.total_ms / r.shards_timed) : 0,
    }))
    .sort((a, b) => rank(a.stage) - rank(b.stage));
  const canceled = (await db.query<{ n: number }>(
    `select count(*)::int as n from billing_shards where run_id = $1 and status = 'canceled'`, [runId],
  )).rows[0]!.n;
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
