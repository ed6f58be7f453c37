import { Worker } from 'node:worker_threads';
import pg from 'pg';
import type { Log } from '../log.ts';
import type { RunnerSettings } from './jobs.ts';
import { workerThreadEntry } from './thread-bundle.ts';

export interface ThreadPool {
  size: number;
  /**
   * Asks every thread to stop after its jobs in progress; a thread still busy after `graceMs`
   * (default 30 s) is terminated and the jobs it held are unlocked at once, for another worker
   * to take (every stage is idempotent), instead of after the dead-worker timeout.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const DEFAULT_STOP_GRACE_MS = 30_000;

/**
 * Starts `size` worker threads, each running a graphile-worker runner. Compute is synchronous
 * and CPU-bound, so parallelism on one machine comes from threads, not from async concurrency.
 */
export async function startThreadPool(
  size: number,
  settings: RunnerSettings,
  log: Log,
  onJobComplete?: () => void,
): Promise<ThreadPool> {
  const threads: Worker[] = [];
  const ready: Promise<void>[] = [];
  const workerIdsOf = new Map<Worker, string[]>();
  const entry = await workerThreadEntry(log);
  for (let threadNo = 1; threadNo <= size; threadNo++) {
    const worker = new Worker(entry, {
      workerData: { ...settings, threadNo },
      // A larger young generation than the default: a shard allocates ~100 MB of short-lived rows
      // and strings. With the default, scavenges took ~9% of a worker's time; 96 MB was best while
      // a shard held all its invoices, and since it streams them (persist.ts) 48 MB measured
      // 0.2–0.4 s less CPU per 100k customers than 96 MB.
      resourceLimits: { maxYoungGenerationSizeMb: 48 },
    });
    worker.on('error', (error) => log.error(`worker thread ${threadNo} crashed: ${error.message}`));
    threads.push(worker);
    ready.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: { type: string; workerIds?: string[] }) => {
          if (message.type === 'ready') {
            workerIdsOf.set(worker, message.workerIds ?? []);
            resolve();
          }
          else if (message.type === 'job-complete') onJobComplete?.();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`worker thread ${threadNo} exited early (${code})`)));
      }),
    );
  }
  await Promise.all(ready);
  return {
    size,
    async stop(options = {}) {
      const graceMs = options.graceMs ?? DEFAULT_STOP_GRACE_MS;
      const terminated: string[] = [];
      await Promise.all(
        threads.map(
          (worker) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                terminated.push(...(workerIdsOf.get(worker) ?? []));
                void worker.terminate().then(() => resolve());
              }, graceMs);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              worker.postMessage({ type: 'stop' });
            }),
        ),
      );
      if (terminated.length > 0) await unlockTerminated(settings.connectionString, terminated, log);
    },
  };
}

/** The jobs a terminated thread held: unlocked now (its heartbeat rows go with them). */
async function unlockTerminated(connectionString: string, workerIds: string[], log: Log): Promise<void> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    await client.query('select graphile_worker.force_unlock_workers($1::text[])', [workerIds]);
    await client.query('delete from worker_heartbeats where worker_id = any($1::text[])', [workerIds]);
    log.info(`stopped ${workerIds.length} busy worker(s) after the grace period; their jobs are unlocked for other workers`);
  } catch (error) {
    log.warn(`could not unlock the jobs of stopped workers (the dead-worker janitor will): ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
