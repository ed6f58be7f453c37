import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { loadConfig } from '../config/index.ts';
import type { Log } from '../log.ts';
import { documentsSql, RENDER_TASK } from './documents-sql.ts';
import { renderInvoices } from './render-invoices.ts';
import { threadRenderer } from './thread-renderer.ts';
import { DEFAULT_DOCUMENT_SETTINGS, type DocumentSettings } from './storage.ts';
import { renderCreditNotePdf } from './credit-note-pdf.ts';
import { CREDIT_NOTE_RENDER_TASK } from '../invoices/index.ts';

/**
 * The render stage of the pipeline: a graphile-worker task, one job per billing shard (queued
 * by queueRender in the shard's transaction, after persist). It runs on the same worker threads
 * as billing shards (one per core by default), so rendering uses every core. A failure records
 * the error on the render job row and rethrows: graphile-worker retries with exponential
 * backoff, and after the last attempt the job is parked (status 'parked', last_error) — the
 * run itself is not stopped. `billflow pdf --requeue` puts parked jobs back after a fix.
 */
export interface RenderJobContext {
  pool: pg.Pool;
  log: Log;
  settings: DocumentSettings;
  dataDir: string;
}

export async function processRenderJob(ctx: RenderJobContext, job: { renderJobId: number; attempt: number; maxAttempts: number }): Promise<void> {
  const claim = documentsSql.markRunning(job.renderJobId, job.attempt);
  const row = (await ctx.pool.query(claim.text, claim.values)).rows[0] as { invoice_ids: number[] } | undefined;
  if (!row) return; // done already (a duplicate delivery), or the row is gone
  const counts = { rendered: 0, unchanged: 0, failed: 0 };
  try {
    const { renderer, store } = await threadRenderer(ctx.settings, ctx.dataDir);
    const outcome = await renderInvoices({ db: ctx.pool, log: ctx.log, renderer, store }, row.invoice_ids, { batchSize: ctx.settings.batchSize });
    Object.assign(counts, { rendered: outcome.rendered, unchanged: outcome.unchanged, failed: outcome.failed.length });
    if (outcome.failed.length > 0) {
      const first = outcome.failed[0]!;
      throw new Error(`${outcome.failed.length} document(s) failed; first: invoice ${first.number}: ${first.error}`);
    }
    const done = documentsSql.markDone(job.renderJobId, counts);
    await ctx.pool.query(done.text, done.values);
  } catch (error) {
    const parked = job.attempt >= job.maxAttempts;
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.warn(`render job ${job.renderJobId} failed (attempt ${job.attempt}/${job.maxAttempts}${parked ? ', parked' : ''}): ${message}`);
    const failed = documentsSql.markFailed(job.renderJobId, parked, message, counts);
    await ctx.pool.query(failed.text, failed.values).catch(() => undefined);
    throw error;
  }
}

/**
 * Billflow's document tasks for graphile-worker's task list (billing/jobs.ts): invoice render jobs and credit note PDFs. Settings come
 * from the runner settings (`documents`, `dataDir`) when given, else from the config file and env.
 */
export function documentTasks(pool: pg.Pool, log: Log, runner: object): Record<string, Task> {
  const given = runner as { documents?: DocumentSettings; dataDir?: string };
  let fallback: { documents: DocumentSettings; dataDir: string } = { documents: DEFAULT_DOCUMENT_SETTINGS, dataDir: '.billflow' };
  if (!given.documents || !given.dataDir) {
    try {
      // Runners started without document settings read them as any command would: file ← env.
      const config = loadConfig();
      fallback = { documents: config.documents, dataDir: config.dataDir };
    } catch {
      // an invalid config file was reported by the command that started us; keep the defaults
    }
  }
  const ctx: RenderJobContext = { pool, log, settings: given.documents ?? fallback.documents, dataDir: given.dataDir ?? fallback.dataDir };
  return {
    [RENDER_TASK]: async (payload, helpers) => {
      const { renderJobId } = payload as { renderJobId: number };
      await processRenderJob(ctx, { renderJobId, attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    },
    // A credit note's PDF, queued by issueCreditNote in its transaction (idempotent: same hash, nothing new).
    [CREDIT_NOTE_RENDER_TASK]: async (payload) => {
      const { creditNoteId } = payload as { creditNoteId: number };
      await renderCreditNotePdf({ db: pool, settings: ctx.settings, dataDir: ctx.dataDir, log }, creditNoteId);
    },
  };
}
