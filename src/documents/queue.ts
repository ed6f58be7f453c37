import type pg from 'pg';
import { documentsSql } from './documents-sql.ts';
import { DEFAULT_DOCUMENT_SETTINGS } from './storage.ts';

/** A render job holds at most this many invoices; bigger lists are split into several jobs. */
export const MAX_INVOICES_PER_RENDER_JOB = 10_000;

/**
 * Queues the rendering of these invoices' PDFs, in the caller's transaction: the render job
 * row and its graphile-worker job commit (or roll back) with the invoices themselves, so an
 * issued invoice always gets its PDF and a rolled-back shard queues nothing.
 */
export async function queueRender(
  client: pg.PoolClient,
  input: { invoiceIds: number[]; runId?: number | null; maxAttempts?: number },
): Promise<{ renderJobIds: number[] }> {
  const ids: number[] = [];
  for (let at = 0; at < input.invoiceIds.length; at += MAX_INVOICES_PER_RENDER_JOB) {
    const sql = documentsSql.queueRender(input.runId ?? null, input.invoiceIds.slice(at, at + MAX_INVOICES_PER_RENDER_JOB), input.maxAttempts ?? DEFAULT_DOCUMENT_SETTINGS.maxAttempts);
    ids.push((await client.query<{ id: number }>(sql.text, sql.values)).rows[0]!.id);
  }
  return { renderJobIds: ids };
}

/** Puts parked render jobs back in the queue (after fixing a template); returns how many. */
export async function requeueParkedRenders(db: pg.Pool, options: { runId?: number | null; maxAttempts?: number } = {}): Promise<number> {
  const sql = documentsSql.requeueParked(options.runId ?? null, options.maxAttempts ?? DEFAULT_DOCUMENT_SETTINGS.maxAttempts);
  return (await db.query<{ requeued: number }>(sql.text, sql.values)).rows[0]!.requeued;
}
