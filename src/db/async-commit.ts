/**
 * genBill's invoices commit without waiting for the WAL flush, then the request waits for one
 * flush before it answers — the same reasoning as `synchronous_commit = off` in billing shards
 * (docs/decisions.md). Why: invoice numbers are gapless, so each invoice transaction holds its
 * series row lock until it commits; with a synchronous commit the lock is held through a disk
 * flush (≈ 2–4 ms here), which caps genBill near 120 invoices/s however many requests wait.
 * With an asynchronous commit the lock is released at once, and the flushes of concurrent
 * requests are grouped by Postgres.
 *
 * Safe because the WAL is flushed in order: flushBarrier() commits a transactional WAL message
 * synchronously, so when it returns every earlier commit — this request's invoice included — is
 * on disk. If the server dies before, the client got no answer and retries; the lost invoice
 * took its number with it (same WAL), so no gap and no duplicate can appear.
 */
import pg from 'pg';
import './pool.ts'; // its type parsers (int8 → number, date → string) apply to every pool

/** A pool whose sessions commit asynchronously; only for work followed by flushBarrier(). */
export function createAsyncCommitPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: 'billflow-api-async-commit',
    options: '-c synchronous_commit=off',
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 30_000,
  });
  pool.on('error', () => undefined);
  return pool;
}

/** Returns once everything committed before it is durable (one grouped WAL flush). */
export async function flushBarrier(pool: pg.Pool): Promise<void> {
  await pool.query(`select pg_logical_emit_message(true, 'billflow.flush', '')`);
}
