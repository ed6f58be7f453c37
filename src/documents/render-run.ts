import type pg from 'pg';
import type { RunnerSettings } from '../billing/jobs.ts';
import { startThreadPool } from '../billing/thread-pool.ts';
import type { Log } from '../log.ts';
import { documentsSql } from './documents-sql.ts';
import { queueRender } from './queue.ts';
import { DirStore, openStore, type DocumentSettings } from './storage.ts';

/** Invoices per render job queued here (the pipeline queues one job per billing shard). */
const INVOICES_PER_JOB = 1_000;
const MAX_QUEUE_ROUNDS = 10_000;

export interface RunDocumentsProgress {
  invoices: number;
  rendered: number;
  openJobs: number;
  parkedJobs: number;
  lastError: string | null;
}

export interface RunDocumentsSummary extends RunDocumentsProgress {
  runId: number;
  durationMs: number;
  pdfsPerSec: number;
  /** Where the PDFs are: a folder, or s3://bucket/prefix. */
  location: string;
  /** One of them (the run's first invoice that has a PDF): its invoice id and full path or URL. */
  sample: { invoiceId: number; location: string } | null;
}

export async function runDocumentsProgress(db: pg.Pool, runId: number): Promise<RunDocumentsProgress> {
  const sql = documentsSql.runProgress(runId);
  const r = (await db.query(sql.text, sql.values)).rows[0] as Record<string, unknown>;
  return { invoices: r.invoices as number, rendered: r.rendered as number, openJobs: r.open_jobs as number, parkedJobs: r.parked_jobs as number, lastError: (r.last_error as string | null) ?? null };
}

/**
 * Renders every invoice of a billing run (for the demo and `billflow pdf --run`): queues render
 * jobs for invoices that have no PDF and no open job yet, runs them on `threads` worker threads
 * (the same graphile-worker runners as billing), reports progress, and returns once no render
 * job of the run is pending — done, or parked with its error. Safe to call again: nothing is
 * rendered twice.
 */
export async function renderRunDocuments(
  deps: { pool: pg.Pool; log: Log },
  input: {
    runId: number;
    threads: number;
    runner: RunnerSettings;
    documents: DocumentSettings;
    dataDir: string;
    pollMs?: number;
    onProgress?: (progress: RunDocumentsProgress, elapsedMs: number) => void;
  },
): Promise<RunDocumentsSummary> {
  const started = performance.now();
  const before = await runDocumentsProgress(deps.pool, input.runId);
  for (let round = 0; round < MAX_QUEUE_ROUNDS; round++) {
    const sql = documentsSql.unrenderedOfRun(input.runId, INVOICES_PER_JOB);
    const ids = (await deps.pool.query<{ id: number }>(sql.text, sql.values)).rows.map((r) => r.id);
    if (ids.length === 0) break;
    const client = await deps.pool.connect();
    try {
      await queueRender(client, { invoiceIds: ids, runId: input.runId, maxAttempts: input.documents.maxAttempts });
    } finally {
      client.release();
    }
  }
  const runner = { ...input.runner, documents: input.documents, dataDir: input.dataDir } as RunnerSettings;
  const pool = input.threads > 0 ? await startThreadPool(input.threads, runner, deps.log) : null;
  let progress: RunDocumentsProgress;
  try {
    for (;;) {
      progress = await runDocumentsProgress(deps.pool, input.runId);
      input.onProgress?.(progress, performance.now() - started);
      if (progress.openJobs === progress.parkedJobs) break;
      await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 250));
    }
  } finally {
    await pool?.stop();
  }
  const durationMs = Math.round(performance.now() - started);
  const store = await openStore(input.documents, input.dataDir);
  const made = progress.rendered - before.rendered;
  const first = documentsSql.firstDocumentOfRun(input.runId);
  const row = (await deps.pool.query<{ id: number; path: string }>(first.text, first.values)).rows[0];
  return {
    runId: input.runId, ...progress, durationMs, pdfsPerSec: durationMs > 0 ? Math.round((made * 1000) / durationMs) : 0,
    location: store instanceof DirStore ? store.root : store.locate(''),
    sample: row ? { invoiceId: Number(row.id), location: store.locate(row.path) } : null,
  };
}
