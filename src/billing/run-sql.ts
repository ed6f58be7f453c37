import type { Sql } from './load-sql.ts';

export const SHARD_TASK = 'billing_shard';

export const runSql = {
  insertRun: (period: string, shardSize: number, options: object): Sql => ({
    text: `insert into billing_runs (period, shard_size, options) values ($1, $2, $3) returning id`,
    values: [period, shardSize, options],
  }),
  /** Splits customers into id ranges of shardSize customers each. */
  planShards: (runId: number, shardSize: number): Sql => ({
    text: `insert into billing_shards (run_id, shard_no, from_customer_id, to_customer_id, customers)
           select $1, bucket + 1, min(id), max(id), count(*)
           from (select id, (row_number() over (order by id) - 1) / $2 as bucket from customers) t
           group by bucket`,
    values: [runId, shardSize],
  }),
  setTotals: (runId: number): Sql => ({
    text: `update billing_runs r set shards_total = s.n, customers_total = s.c
           from (select count(*)::int as n, coalesce(sum(customers), 0)::bigint as c
                 from billing_shards where run_id = $1) s
           where r.id = $1 returning shards_total, customers_total`,
    values: [runId],
  }),
  /** Queues one job per listed shard; the job key makes queuing the same shard twice a no-op. */
  queueShards: (runId: number, statuses: string[], maxAttempts: number): Sql => ({
    text: `select count(graphile_worker.add_job('${SHARD_TASK}',
             json_build_object('runId', run_id, 'shardNo', shard_no),
             job_key := 'billing:' || run_id || ':' || shard_no, max_attempts := $3)) as queued
           from billing_shards where run_id = $1 and status = any($2::text[])`,
    values: [runId, statuses, maxAttempts],
  }),
  runRow: (runId: number): Sql => ({
    text: `select id, period, status, shard_size, shards_total, customers_total, options, created_at, finished_at
           from billing_runs where id = $1`,
    values: [runId],
  }),
  stats: (runId: number): Sql => ({
    text: `select count(*)::int as shards,
             count(*) filter (where status = 'done')::int as done,
             count(*) filter (where status = 'parked')::int as parked,
             count(*) filter (where status = 'running')::int as running,
             count(*) filter (where status = 'retrying')::int as retrying,
             count(*) filter (where status = 'pending')::int as pending,
             count(*) filter (where status = 'canceled')::int as canceled,
             coalesce(sum(customers) filter (where status = 'done'), 0)::bigint as customers_done,
             coalesce(sum(invoices), 0)::bigint as invoices,
             coalesce(sum(skipped), 0)::bigint as skipped,
             coalesce(sum(already_invoiced), 0)::bigint as already_invoiced,
             coalesce(sum(quarantined), 0)::bigint as quarantined,
             coalesce(sum(lines), 0)::bigint as lines,
             coalesce(extract(epoch from (max(finished_at) - min(started_at))) * 1000, 0)::bigint as work_ms
           from billing_shards where run_id = $1`,
    values: [runId],
  }),
  stageErrors: (runId: number): Sql => ({
    text: `select shard_no, status, stage, attempts, last_error from billing_shards
           where run_id = $1 and last_error is not null order by shard_no`,
    values: [runId],
  }),
  resetParked: (runId: number): Sql => ({
    text: `update billing_shards set status = 'pending', attempts = 0, finished_at = null
           where run_id = $1 and status in ('parked', 'canceled') returning shard_no`,
    values: [runId],
  }),
  reopenRun: (runId: number): Sql => ({
    text: `update billing_runs set status = 'running', finished_at = null where id = $1 and status <> 'running'`,
    values: [runId],
  }),
  cancelRun: (runId: number): Sql => ({
    text: `update billing_runs set status = 'canceled', finished_at = now() where id = $1 and status = 'running'
           returning id`,
    values: [runId],
  }),
  cancelShards: (runId: number): Sql => ({
    text: `update billing_shards set status = 'canceled', finished_at = now()
           where run_id = $1 and status in ('pending', 'retrying') returning shard_no`,
    values: [runId],
  }),
  removeJobs: (runId: number, shardNos: number[]): Sql => ({
    text: `select graphile_worker.remove_job('billing:' || $1 || ':' || n) from unnest($2::int[]) n`,
    values: [runId, shardNos],
  }),
  listRuns: (limit: number): Sql => ({
    text: `select id, period, status, shards_total, customers_total, created_at, finished_at
           from billing_runs order by id desc limit $1`,
    values: [limit],
  }),
  /** Per stage: shards whose last stage reached is it, and the stage_ms timings of their last attempts. */
  stageStats: (runId: number): Sql => ({
    text: `with reached as (
    select stage, count(*)::int as n from billing_shards where run_id = $1 and stage is not null group by stage
  ), timed as (
    select t.key as stage, sum(t.value::numeric)::bigint as total_ms, max(t.value::numeric)::bigint as max_ms, count(*)::int as n
    from billing_shards s, jsonb_each_text(s.stage_ms) t
    where s.run_id = $1 and s.stage_ms is not null group by t.key
  )
  select coalesce(r.stage, t.stage) as stage, coalesce(r.n, 0) as shards_reached, coalesce(t.total_ms, 0) as total_ms,
         coalesce(t.max_ms, 0) as max_ms, coalesce(t.n, 0) as shards_timed
  from reached r full join timed t on t.stage = r.stage`,
    values: [runId],
  }),
  canceledShards: (runId: number): Sql => ({
    text: `select count(*)::int as n from billing_shards where run_id = $1 and status = 'canceled'`,
    values: [runId],
  }),
};
