import { hostname } from 'node:os';
import type pg from 'pg';
import type { Log } from '../log.ts';

/**
 * Worker liveness. graphile-worker locks a job to a worker id and only frees the locks of a
 * worker that vanished after 4 hours; a billing run cannot wait that long. Every Billflow worker
 * upserts a heartbeat row; a worker whose heartbeat is older than `deadAfterMs` (or, on this same
 * host, whose pid is gone) is dead, and its jobs are unlocked with force_unlock_workers so
 * another worker takes them at once.
 */
export function startHeartbeat(pool: pg.Pool, workerIds: Set<string>, intervalMs: number, log: Log): { stop(): Promise<void> } {
  let stopped = false;
  const beat = async () => {
    if (workerIds.size === 0) return;
    await pool.query(
      `insert into worker_heartbeats (worker_id, hostname, pid) select unnest($1::text[]), $2, $3
       on conflict (worker_id) do update set seen_at = now()`,
      [[...workerIds], hostname(), process.pid],
    );
  };
  const timer = setInterval(() => {
    if (!stopped) beat().catch((e: Error) => log.warn(`heartbeat failed: ${e.message}`));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (workerIds.size > 0) {
        await pool.query('delete from worker_heartbeats where worker_id = any($1::text[])', [[...workerIds]]).catch(() => undefined);
      }
    },
  };
}

export async function registerWorker(pool: pg.Pool, workerId: string): Promise<void> {
  await pool.query(
    `insert into worker_heartbeats (worker_id, hostname, pid) values ($1, $2, $3)
     on conflict (worker_id) do update set seen_at = now()`,
    [workerId, hostname(), process.pid],
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Unlocks the jobs of dead workers; returns how many workers were declared dead. */
export async function unlockDeadWorkers(pool: pg.Pool, deadAfterMs: number): Promise<number> {
  const { rows } = await pool.query<{ worker_id: string; hostname: string; pid: number; stale: boolean }>(
    `select worker_id, hostname, pid, seen_at < now() - make_interval(secs => $1::float8 / 1000) as stale
     from worker_heartbeats`,
    [deadAfterMs],
  );
  const here = hostname();
  const dead = rows.filter((r) => r.stale || (r.hostname === here && !pidAlive(r.pid))).map((r) => r.worker_id);
  // Jobs locked by workers that never wrote a heartbeat at all (killed before the first beat)
  // and whose lock is older than deadAfterMs are dead too.
  const orphans = await pool.query<{ locked_by: string }>(
    `select distinct locked_by from graphile_worker.jobs
     where locked_by is not null and locked_at < now() - make_interval(secs => $1::float8 / 1000)
       and locked_by not in (select worker_id from worker_heartbeats)`,
    [deadAfterMs],
  );
  dead.push(...orphans.rows.map((r) => r.locked_by));
  if (dead.length === 0) return 0;
  await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
  await pool.query('delete from worker_heartbeats where worker_id = any($1::text[])', [dead]);
  return dead.length;
}
