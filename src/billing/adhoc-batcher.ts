/**
 * Groups concurrent genBill requests into batches for createAdHocInvoices. No timer: a request
 * that finds no batch running starts one at once (a lone request waits for nothing); requests
 * arriving meanwhile queue and leave together in the next batch. At most `maxInFlight` batches
 * run at once (they meet on the numbering lock anyway) and `maxBatch` jobs go in one.
 * The batch commits asynchronously and answers after one WAL flush (src/db/async-commit.ts) — except the
 * requests that hold an Idempotency-Key: storing their response is a synchronous commit that
 * flushes the WAL anyway before they answer, so they do not wait for a second flush.
 */
import type pg from 'pg';
import type { AdHocInvoice } from './adhoc.ts';
import { flushBarrier } from '../db/async-commit.ts';
import { createAdHocInvoices, type AdHocJob } from './adhoc-batch.ts';

interface Waiting {
  job: AdHocJob;
  /** A synchronous commit follows before the answer (the Idempotency-Key's stored response). */
  flushedLater: boolean;
  resolve(invoice: AdHocInvoice): void;
  reject(error: unknown): void;
}

export interface AdHocInvoiceBatcher {
  issue(job: AdHocJob, options?: { flushedLater?: boolean }): Promise<AdHocInvoice>;
}

export function createAdHocInvoiceBatcher(options: {
  /** Where the invoices are written (asynchronous commit when flushPool is given). */
  db: pg.Pool;
  /** A synchronous-commit pool for the flush barrier; none when `db` commits synchronously. */
  flushPool: pg.Pool | null;
  netTermsDays: number;
  maxBatch?: number;
  maxInFlight?: number;
}): AdHocInvoiceBatcher {
  const maxBatch = options.maxBatch ?? 100;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Waiting[] = [];
  let inFlight = 0;

  async function runBatch(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await createAdHocInvoices({ db: options.db, netTermsDays: options.netTermsDays }, batch.map((w) => w.job));
      const settle = (i: number) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) batch[i]!.resolve(outcome.invoice);
        else batch[i]!.reject(outcome.error);
      };
      const needFlush = batch.map((w) => options.flushPool !== null && !w.flushedLater);
      needFlush.forEach((need, i) => need || settle(i));
      if (needFlush.includes(true)) {
        await flushBarrier(options.flushPool!);
        needFlush.forEach((need, i) => need && settle(i));
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    issue(job, issueOptions = {}) {
      return new Promise<AdHocInvoice>((resolve, reject) => {
        queue.push({ job, flushedLater: issueOptions.flushedLater === true, resolve, reject });
        pump();
      });
    },
  };
}
