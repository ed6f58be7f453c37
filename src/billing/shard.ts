import type pg from 'pg';
import type { Log } from '../log.ts';
import { nextPeriod } from './calendar.ts';
import { computeInvoice } from './compute.ts';
import { loadCatalog, loadShard } from './load.ts';
import { InvoiceBatch } from './persist.ts';
import { queueRender } from '../documents/index.ts';
import { queueCollection } from '../payments/index.ts';
import { shardStateSql } from './shard-sql.ts';
import type { ComputeContext } from './types.ts';

export const CYCLE_SOURCE = 'cycle';

/** Computed invoices between two yields to the event loop, which let their lines go to Postgres. */
const FLUSH_EVERY = 500;

export type Stage = 'load' | 'dedupe' | 'compute' | 'validate' | 'persist';

export interface ShardJob {
  runId: number;
  shardNo: number;
  attempt: number;
  maxAttempts: number;
  workerId?: string | null;
}

export interface RunOptions {
  issueDate: string;
  netTermsDays: number;
}

export interface ShardOutcome {
  status: 'done' | 'not_runnable';
  customers: number;
  invoices: number;
  skipped: number;
  alreadyInvoiced?: number;
  quarantined: number;
  lines: number;
}

async function exec(db: pg.Pool | pg.PoolClient, sql: { text: string; values: unknown[] }) {
  return db.query(sql.text, sql.values);
}

/**
 * One shard of a billing run, through its stages: load → block duplicates → compute → validate
 * → persist (+ outbox) — all in one transaction, so a crash at any point leaves nothing behind
 * and the retried attempt starts clean. A failure records the stage and error on the shard
 * (retrying, or parked after the last attempt) and is rethrown for the job engine to retry.
 */
export async function processShard(deps: { pool: pg.Pool; log: Log }, job: ShardJob): Promise<ShardOutcome> {
  const { pool, log } = deps;
  const claimed = await exec(pool, shardStateSql.markRunning(job.runId, job.shardNo, job.attempt));
  const shard = claimed.rows[0] as
    | { from_customer_id: number; to_customer_id: number; period: string; options: RunOptions }
    | undefined;
  if (!shard) {
    await exec(pool, shardStateSql.markCanceled(job.runId, job.shardNo));
    await exec(pool, shardStateSql.finalizeRun(job.runId));
    return { status: 'not_runnable', customers: 0, invoices: 0, skipped: 0, quarantined: 0, lines: 0 };
  }
  const range = { from: shard.from_customer_id, to: shard.to_customer_id };
  let stage: Stage = 'load';
  const stageMs: Record<string, number> = { load: 0, dedupe: 0, compute: 0, validate: 0, persist: 0 };
  let mark = performance.now();
  const enter = (next: Stage) => {
    const now = performance.now();
    stageMs[stage]! += now - mark;
    mark = now;
    stage = next;
  };
  let batch: InvoiceBatch | null = null;
  const client = await pool.connect();
  try {
    // READ COMMITTED, not REPEATABLE READ: the invoice-series counter is a row every shard
    // updates; under REPEATABLE READ a concurrent shard's commit would abort ours.
    await client.query('begin');
    // Safe to relax here: the job's completion is committed after this transaction, with a
    // synchronous commit that flushes this one too; a lost commit just means the job runs again.
    await client.query('set local synchronous_commit = off');
    // The row lock makes a second concurrent attempt at this shard wait, then see 'done'.
    const locked = await exec(client, shardStateSql.lockForAttempt(job.runId, job.shardNo));
    if (locked.rows[0]?.status === 'done') {
      await client.query('rollback');
      return { status: 'not_runnable', customers: 0, invoices: 0, skipped: 0, quarantined: 0, lines: 0 };
    }
    const catalog = await loadCatalog(client, shard.options.issueDate);
    const input = await loadShard(client, range, shard.period, nextPeriod(shard.period), CYCLE_SOURCE);

    enter('dedupe');
    const toBill = input.customers.filter((c) => !input.alreadyInvoiced.has(c.id));

    enter('persist'); // reserves the invoice ids and opens the lines COPY
    batch = await InvoiceBatch.open(client, {
      runId: job.runId, period: shard.period, source: CYCLE_SOURCE, range, legalEntities: catalog.legalEntities,
    }, toBill.length);

    enter('compute'); // and validate: computeInvoice validates each draft; the batch writes its lines
    const ctx: ComputeContext = {
      catalog,
      period: shard.period,
      issueDate: shard.options.issueDate,
      netTermsDays: shard.options.netTermsDays,
    };
    let skipped = input.alreadyInvoiced.size;
    for (let i = 0; i < toBill.length; i++) {
      const result = computeInvoice(toBill[i]!, ctx);
      if (result.status === 'skipped') skipped++;
      batch.add(result);
      if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await batch.flush();
    }

    enter('persist');
    const outcome = await batch.finish();
    // The later stage of this shard: its PDFs, queued in the same transaction (src/documents).
    await queueRender(client, { invoiceIds: outcome.issued.map((i) => i.id), runId: job.runId });
    // And its collection (src/payments), queued the same way.
    await queueCollection(client, { invoiceIds: outcome.issued.map((i) => i.id), runId: job.runId });
    const counts = {
      customers: input.customers.length,
      invoices: outcome.invoices,
      skipped,
      alreadyInvoiced: input.alreadyInvoiced.size,
      quarantined: outcome.quarantined,
      lines: outcome.lines,
    };
    enter('persist');
    for (const key of Object.keys(stageMs)) stageMs[key] = Math.round(stageMs[key]!);
    await exec(client, shardStateSql.markDone(job.runId, job.shardNo, job.workerId ?? null, stageMs, counts));
    await client.query('commit');
    await exec(pool, shardStateSql.finalizeRun(job.runId));
    return { status: 'done', ...counts };
  } catch (error) {
    await batch?.abort(error as Error);
    await client.query('rollback').catch(() => undefined);
    const parked = job.attempt >= job.maxAttempts;
    const message = error instanceof Error ? error.message : String(error);
    log.warn(`run ${job.runId} shard ${job.shardNo} failed at ${stage} (attempt ${job.attempt}/${job.maxAttempts}${parked ? ', parked' : ''}): ${message}`);
    await exec(pool, shardStateSql.markFailed(job.runId, job.shardNo, parked, stage, message)).catch(() => undefined);
    if (parked) await exec(pool, shardStateSql.finalizeRun(job.runId)).catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
