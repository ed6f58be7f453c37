import type { Sql } from '../billing/load-sql.ts';

/**
 * SQL of the dashboard's overview. Each returns {text, values} and runs nothing. The counts
 * scan their tables (no counters are kept): cheap at demo scale, a few hundred ms at millions of
 * rows — the overview caches its answer for a few seconds (overview.ts).
 */
export const overviewSql = {
  /** The latest runs with shard progress and how many invoices their shards wrote. */
  runs: (limit: number): Sql => ({
    text: `select r.id, r.period, r.status, r.shards_total, r.customers_total, r.created_at, r.finished_at,
             count(s.*) filter (where s.status = 'done')::int as shards_done,
             count(s.*) filter (where s.status = 'parked')::int as shards_parked,
             count(s.*) filter (where s.status in ('running', 'retrying'))::int as shards_running,
             coalesce(sum(s.invoices), 0)::bigint as invoices, coalesce(sum(s.quarantined), 0)::bigint as quarantined,
             min(s.started_at) as first_started, max(s.finished_at) as last_finished
           from billing_runs r left join billing_shards s on s.run_id = r.id
           group by r.id order by r.id desc limit $1`,
    values: [limit],
  }),
  /** Invoices per minute of one run, from its shards' finish times. */
  runTimeline: (runId: number): Sql => ({
    text: `select date_trunc('minute', finished_at) as minute, sum(invoices)::bigint as invoices
           from billing_shards where run_id = $1 and finished_at is not null group by 1 order by 1`,
    values: [runId],
  }),
  invoices: (): Sql => ({
    text: `select period, currency, payment_status, count(*)::bigint as n, sum(total_minor)::bigint as total_minor
           from invoices where status = 'issued' and period = (select max(period) from invoices) group by 1, 2, 3`,
    values: [],
  }),
  documents: (): Sql => ({
    text: `select count(*)::bigint as n, coalesce(sum(size_bytes), 0)::bigint as bytes, max(rendered_at) as last_at from invoice_documents`,
    values: [],
  }),
  deliveries: (): Sql => ({
    text: 'select channel, status, count(*)::bigint as n from deliveries group by 1, 2',
    values: [],
  }),
  payments: (): Sql => ({
    text: `select status, count(*)::bigint as n, coalesce(sum(amount_minor), 0)::bigint as amount_minor from payment_attempts group by 1`,
    values: [],
  }),
  /** Messages sent and payment attempts finished per minute, the last hour. */
  activity: (): Sql => ({
    text: `with m as (select generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') as minute),
           d as (select date_trunc('minute', sent_at) as minute, count(*)::int as n from deliveries where sent_at >= now() - interval '1 hour' group by 1),
           p as (select date_trunc('minute', finished_at) as minute, count(*)::int as n from payment_attempts where finished_at >= now() - interval '1 hour' group by 1),
           x as (select date_trunc('minute', rendered_at) as minute, count(*)::int as n from invoice_documents where rendered_at >= now() - interval '1 hour' group by 1)
           select m.minute, coalesce(d.n, 0) as sent, coalesce(p.n, 0) as charged, coalesce(x.n, 0) as rendered
           from m left join d using (minute) left join p using (minute) left join x using (minute) order by m.minute`,
    values: [],
  }),
  /** Jobs waiting or running per task (graphile-worker's queue). */
  queue: (): Sql => ({
    text: `select task_identifier as task, count(*) filter (where locked_at is null and attempts < max_attempts)::int as waiting,
             count(*) filter (where locked_at is not null)::int as running,
             count(*) filter (where attempts >= max_attempts)::int as failed
           from graphile_worker.jobs group by 1 order by 1`,
    values: [],
  }),
  workers: (): Sql => ({
    text: `select count(*)::int as n from worker_heartbeats where seen_at > now() - interval '1 minute'`,
    values: [],
  }),
};
