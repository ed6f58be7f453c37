import { Worker } from 'node:worker_threads';
import type { Log } from '../log.ts';
import type { RunnerSettings } from './jobs.ts';
import { workerThreadEntry } from './thread-bundle.ts';

export interface ThreadPool {
  size: number;
  stop(): Promise<void>;
}

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
        worker.on('message', (message: { type: string }) => {
          if (message.type === 'ready') resolve();
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
    async stop() {
      await Promise.all(
        threads.map(
          (worker) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 30_000);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              worker.postMessage({ type: 'stop' });
            }),
        ),
      );
    },
  };
}
