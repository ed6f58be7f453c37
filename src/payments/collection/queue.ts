import type pg from 'pg';

export const COLLECT_TASK = 'payments_collect';
export const JANITOR_TASK = 'payments_janitor';

/** A collect job holds at most this many invoices; bigger lists are split into several jobs. */
export const MAX_INVOICES_PER_COLLECT_JOB = 10_000;

/**
 * Queues the collection of these invoices, in the caller's transaction (the billing run's
 * shard, after persist, like its render jobs): the jobs commit or roll back with the invoices.
 */
export async function queueCollection(client: pg.PoolClient, input: { invoiceIds: number[]; runId?: number | null; trigger?: string; maxAttempts?: number }): Promise<number> {
  let jobs = 0;
  for (let at = 0; at < input.invoiceIds.length; at += MAX_INVOICES_PER_COLLECT_JOB) {
    const ids = input.invoiceIds.slice(at, at + MAX_INVOICES_PER_COLLECT_JOB);
    await client.query(`select graphile_worker.add_job($1, json_build_object('invoiceIds', $2::bigint[], 'runId', $3::bigint, 'trigger', $4::text), max_attempts := $5)`,
      [COLLECT_TASK, ids, input.runId ?? null, input.trigger ?? 'run', input.maxAttempts ?? 5]);
    jobs++;
  }
  return jobs;
}

/**
 * (Re)schedules the one janitor job at the earliest moment it has work: the next check of an
 * unknown outcome, or when a 'started' attempt becomes an orphan. Nothing pending → no job.
 */
export async function scheduleJanitor(db: pg.Pool | pg.PoolClient, callTimeoutMs: number): Promise<Date | null> {
  const row = (await db.query<{ at: Date | null }>(
    `select least((select min(next_check_at) from payment_attempts where status = 'unknown'),
                  (select min(started_at) from payment_attempts where status = 'started') + make_interval(secs => $1::double precision / 1000)) as at`,
    [2 * callTimeoutMs + 1_000],
  )).rows[0];
  const at = row?.at ?? null;
  if (at === null) return null;
  await db.query(`select graphile_worker.add_job($1, '{}'::json, run_at := $2, job_key := 'payments:janitor', job_key_mode := 'replace')`, [JANITOR_TASK, at]);
  return at;
}
