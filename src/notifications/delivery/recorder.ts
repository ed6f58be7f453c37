import type pg from 'pg';
import { deliverySql } from './delivery-sql.ts';
import type { Outcome } from './plan.ts';

/** Attempts at writing one batch of outcomes before the job gives up (and is retried). */
const WRITE_ATTEMPTS = 3;
const WRITE_RETRY_MS = 200;

/**
 * Records send outcomes in small batches: a flush every `flushSize` outcomes or `flushMs`,
 * whichever comes first. A message's outcome is thus committed within about flushMs of the
 * receiver's answer — the crash window of docs/delivery.md — at one statement per batch rather
 * than one transaction per message. Retries are queued in the same transaction as their status.
 */
export class OutcomeRecorder {
  private pending: Outcome[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private readonly timer: NodeJS.Timeout;
  recorded = 0;

  constructor(private readonly pool: pg.Pool, private readonly jobId: number, private readonly flushSize: number, flushMs: number) {
    this.timer = setInterval(() => this.flush(), flushMs);
  }

  add(outcome: Outcome): void {
    this.pending.push(outcome);
    if (this.pending.length >= this.flushSize) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain.then(() => this.writeWithRetry(batch)).catch((error: Error) => {
      this.failure ??= error;
    });
  }

  /** Flushes what is left; throws if any batch could not be written. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private async writeWithRetry(batch: Outcome[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(batch);
        this.recorded += batch.length;
        return;
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, WRITE_RETRY_MS * attempt));
      }
    }
  }

  private async write(batch: Outcome[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const record = deliverySql.record(this.jobId, batch);
      await client.query(record.text, record.values);
      const retrying = batch.filter((o) => o.status === 'retrying');
      if (retrying.length > 0) {
        const runAt = new Date(Math.max(...retrying.map((o) => o.nextAttemptAt!.getTime())));
        const queue = deliverySql.queueSend(retrying.map((o) => o.id), runAt);
        await client.query(queue.text, queue.values);
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
