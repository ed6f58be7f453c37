import type { Sql } from './load-sql.ts';

export const shardStateSql = {
  /** Claims a shard for an attempt; returns nothing when it is done, canceled, or its run is over. */
  markRunning: (runId: number, shardNo: number, attempt: number): Sql => ({
    text: `update billing_shards s set status = 'running', attempts = $3, stage = null,
             started_at = coalesce(s.started_at, now())
           from billing_runs r
           where s.run_id = $1 and s.shard_no = $2 and r.id = s.run_id
             and s.status not in ('done', 'canceled') and r.status = 'running'
           returning s.from_customer_id, s.to_customer_id, r.period, r.options`,
    values: [runId, shardNo, attempt],
  }),
  lockForAttempt: (runId: number, shardNo: number): Sql => ({
    text: 'select status from billing_shards where run_id = $1 and shard_no = $2 for update',
    values: [runId, shardNo],
  }),
  markDone: (runId: number, shardNo: number, workerId: string | null, stageMs: Record<string, number>, c: { customers: number; invoices: number; skipped: number; alreadyInvoiced: number; quarantined: number; lines: number }): Sql => ({
    // clock_timestamp(): this runs inside the shard's transaction, where now() is its start.
    text: `update billing_shards set status = 'done', stage = 'persist', last_error = null, finished_at = clock_timestamp(),
             customers = $3, invoices = $4, skipped = $5, quarantined = $6, lines = $7, processed_by = $8, stage_ms = $9, already_invoiced = $10
           where run_id = $1 and shard_no = $2`,
    values: [runId, shardNo, c.customers, c.invoices, c.skipped, c.quarantined, c.lines, workerId, stageMs, c.alreadyInvoiced],
  }),
  markFailed: (runId: number, shardNo: number, parked: boolean, stage: string, error: string): Sql => ({
    text: `update billing_shards set status = $3, stage = $4, last_error = $5,
             finished_at = case when $3 = 'parked' then now() else null end
           where run_id = $1 and shard_no = $2 and status <> 'done'`,
    values: [runId, shardNo, parked ? 'parked' : 'retrying', stage, error.slice(0, 4000)],
  }),
  markCanceled: (runId: number, shardNo: number): Sql => ({
    text: `update billing_shards set status = 'canceled', finished_at = now()
           where run_id = $1 and shard_no = $2 and status not in ('done', 'parked')`,
    values: [runId, shardNo],
  }),
  /** Closes the run once every shard is terminal. Safe to call from every shard. */
  finalizeRun: (runId: number): Sql => ({
    text: `update billing_runs r set finished_at = now(),
             status = case when exists (select 1 from billing_shards s where s.run_id = r.id and s.status = 'parked')
                           then 'completed_with_errors' else 'completed' end
           where r.id = $1 and r.status = 'running'
             and not exists (select 1 from billing_shards s where s.run_id = r.id
                             and s.status not in ('done', 'parked', 'canceled'))`,
    values: [runId],
  }),
};
