import { parentPort, workerData } from 'node:worker_threads';
import { createPool } from '../db/pool.ts';
import { createLog } from '../log.ts';
import { startRunner, type RunnerSettings } from './jobs.ts';

/** A worker thread: one graphile-worker runner taking billing jobs until told to stop. */
const settings = workerData as RunnerSettings & { threadNo: number };
const log = createLog(`worker-${settings.threadNo}`);
const pool = createPool(settings.connectionString, { max: settings.concurrency + 2, applicationName: `billflow-worker-${settings.threadNo}` });
const runner = await startRunner(pool, log, settings);
// The pool's owner reads the run's progress at once rather than at its next poll.
runner.runner.events.on('job:complete', () => parentPort!.postMessage({ type: 'job-complete' }));
parentPort!.postMessage({ type: 'ready', workerIds: [...runner.workerIds] });
parentPort!.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  void (async () => {
    await runner.stop();
    await pool.end();
    parentPort!.postMessage({ type: 'stopped' });
    parentPort!.close();
  })();
});
