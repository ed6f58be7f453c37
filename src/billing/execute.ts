import type pg from 'pg';
import type { Log } from '../log.ts';
import { getRunProgress, type RunProgress } from './run.ts';
import { startThreadPool } from './thread-pool.ts';
import type { RunnerSettings } from './jobs.ts';

const RUN_END_STOP_GRACE_MS = 5_000;

export interface RunSummary {
  runId: number;
  period: string;
  status: RunProgress['status'];
  customers: number;
  invoices: number;
  skipped: number;
  alreadyInvoiced: number;
  quarantined: number;
  failedShards: number;
  lines: number;
  durationMs: number;
  invoicesPerSec: number;
}

export function summarize(progress: RunProgress, durationMs: number): RunSummary {
  return {
    runId: progress.runId,
    period: progress.period,
    status: progress.status,
    customers: progress.customers,
    invoices: progress.invoices,
    skipped: progress.skipped,
    alreadyInvoiced: progress.alreadyInvoiced,
    quarantined: progress.quarantined,
    failedShards: progress.shardsParked,
    lines: progress.lines,
    durationMs,
    invoicesPerSec: durationMs > 0 ? Math.round((progress.invoices * 1000) / durationMs) : 0,
  };
}

/**
 * Drives a planned run to its end on this machine: starts `threads` worker threads (0 = rely on
 * `billflow worker` processes elsewhere), reports progress every `pollMs`, and returns once every
 * shard is done, parked or canceled. Other workers may take shards of the same run meanwhile.
 */
export async function executeRun(
  deps: { pool: pg.Pool; log: Log },
  input: {
    runId: number;
    threads: number;
    runner: RunnerSettings;
    pollMs?: number;
    onProgress?: (progress: RunProgress, elapsedMs: number) => void;
    signal?: AbortSignal;
  },
): Promise<RunSummary> {
  const started = performance.now();
  // A local thread finishing a job wakes the loop early: the run's end is seen at once, not up
  // to a poll interval later (jobs taken by other workers are seen at the next poll).
  let wake: (() => void) | null = null;
  const pool = input.threads > 0 ? await startThreadPool(input.threads, input.runner, deps.log, () => wake?.()) : null;
  try {
    for (;;) {
      const progress = await getRunProgress(deps.pool, input.runId);
      const elapsed = performance.now() - started;
      input.onProgress?.(progress, elapsed);
      if (progress.status !== 'running' || input.signal?.aborted) return summarize(progress, Math.round(elapsed));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, input.pollMs ?? 250);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    // The run is over; other jobs these threads took meanwhile (PDFs, collection, delivery) get a
    // short grace, then are unlocked for the next worker rather than held until a timeout.
    await pool?.stop({ graceMs: RUN_END_STOP_GRACE_MS });
  }
}
