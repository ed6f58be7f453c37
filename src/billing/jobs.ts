import { EventEmitter } from 'node:events';
import { Logger, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import type { Log } from '../log.ts';
import { registerWorker, startHeartbeat, unlockDeadWorkers } from './heartbeat.ts';
import { SHARD_TASK } from './run-sql.ts';
import { processShard } from './shard.ts';
import { createRun } from './run.ts';
import { periodOf, previousPeriod } from './calendar.ts';
import { documentTasks } from '../documents/index.ts';
import { deliveryTasks } from '../notifications/index.ts';
import { paymentTasks, type PaymentsSettings } from '../payments/index.ts';

export const MONTHLY_TASK = 'billing_monthly_run';

export interface RunnerSettings {
  connectionString: string;
  /** Collection settings for the payments tasks (src/payments); absent: read from the config file and environment. */
  payments?: PaymentsSettings;
  concurrency: number;
  pollIntervalMs: number;
  heartbeatMs: number;
  deadAfterMs: number;
  /** graphile-worker crontab lines, e.g. the monthly billing run. */
  crontab?: string;
  monthlyRun?: { shardSize: number; maxAttempts: number; netTermsDays: number };
  /** Only these tasks (e.g. [SHARD_TASK] for a billing-only benchmark); default: every task. */
  tasks?: readonly string[];
}

function taskList(pool: pg.Pool, log: Log, settings: RunnerSettings): TaskList {
  return {
    [SHARD_TASK]: async (payload, helpers) => {
      const { runId, shardNo } = payload as { runId: number; shardNo: number };
      await processShard({ pool, log }, { runId, shardNo, attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts, workerId: helpers.job.locked_by });
    },
    // Cron: on its schedule, bill the period that just ended. graphile-worker's cron is
    // distributed-safe (known_crontabs), so many workers never start the same run twice; the
    // job key makes a retried cron job reuse the first run's plan instead of planning another.
    [MONTHLY_TASK]: async (payload) => {
      const ts = (payload as { _cron?: { ts: string } })._cron?.ts ?? new Date().toISOString();
      const today = ts.slice(0, 10);
      const period = previousPeriod(periodOf(today));
      const existing = await pool.query(`select id from billing_runs where period = $1 and options->>'trigger' = 'cron' and status <> 'canceled'`, [period]);
      if (existing.rowCount) {
        log.info(`monthly run for ${period} already exists (run ${existing.rows[0].id})`);
        return;
      }
      const m = settings.monthlyRun ?? { shardSize: 5000, maxAttempts: 5, netTermsDays: 15 };
      const created = await createRun(pool, { period, issueDate: today, ...m, trigger: 'cron' });
      log.info(`monthly run ${created.runId} for ${period}: ${created.customers} customers in ${created.shards} shards`);
    },
    // Invoice PDFs: render jobs queued by each shard after persist (src/documents).
    ...documentTasks(pool, log, settings),
    // Invoice delivery: the outbox dispatcher and the email/SMS/WhatsApp senders (src/notifications).
    ...deliveryTasks(pool, log, settings),
    // Collection: one job per shard, queued after persist; and the janitor of unknown outcomes (src/payments).
    ...paymentTasks(pool, log, settings),
  };
}

function selectTasks(all: TaskList, names: readonly string[] | undefined): TaskList {
  if (names === undefined) return all;
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}

export interface BillflowRunner {
  runner: Runner;
  workerIds: Set<string>;
  stop(): Promise<void>;
}

/**
 * Starts a graphile-worker runner for Billflow's tasks, with heartbeats and a janitor that
 * unlocks the jobs of dead workers. Used by each worker thread and by `billflow worker`.
 */
export async function startRunner(pool: pg.Pool, log: Log, settings: RunnerSettings): Promise<BillflowRunner> {
  const workerIds = new Set<string>();
  const events = new EventEmitter() as WorkerEvents;
  // Listen before run(): the pool creates its workers while starting.
  events.on('worker:create', ({ worker }) => {
    workerIds.add(worker.workerId);
    registerWorker(pool, worker.workerId).catch((e: Error) => log.warn(`heartbeat: ${e.message}`));
  });
  const runner = await run({
    events,
    connectionString: settings.connectionString,
    concurrency: settings.concurrency,
    maxPoolSize: settings.concurrency + 2,
    pollInterval: settings.pollIntervalMs,
    noHandleSignals: true,
    taskList: selectTasks(taskList(pool, log, settings), settings.tasks),
    crontab: settings.crontab ?? '',
    logger: graphileLogger(log),
    // Completions and failures go through graphile-worker's batcher: its graceful shutdown waits
    // for the batch to be written. Unbatched, the completion of a job that finished during
    // shutdown was fired and not awaited — the thread's connections closed first, the job stayed
    // locked and ran again after deadAfterMs (seen: every demo's delivery step waited 60 s).
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
  const heartbeat = startHeartbeat(pool, workerIds, settings.heartbeatMs, log);
  const janitor = setInterval(() => {
    unlockDeadWorkers(pool, settings.deadAfterMs)
      .then((n) => n && log.info(`unlocked the jobs of ${n} dead worker(s)`))
      .catch((e: Error) => log.warn(`janitor: ${e.message}`));
  }, Math.max(settings.heartbeatMs * 2, 5_000));
  janitor.unref();
  return {
    runner,
    workerIds,
    async stop() {
      clearInterval(janitor);
      await runner.stop();
      await heartbeat.stop();
    },
  };
}

function graphileLogger(log: Log): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error') log.error(message);
    else if (level === 'warning') log.warn(message);
    else log.debug(message);
  });
}
