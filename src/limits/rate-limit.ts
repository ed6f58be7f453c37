import type pg from 'pg';

/** Something that paces callers: `take()` resolves when the caller may make one call. */
export interface Limiter {
  take(): Promise<void>;
}

/**
 * A token bucket in this thread: at most `ratePerSec` takes per second on average, bursts up to
 * one second's worth. 0 = no limit. Good for one process; a provider's limit shared by many
 * threads and processes is a SharedRateLimiter.
 */
export class RateLimiter implements Limiter {
  private tokens: number;
  private last: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly ratePerSec: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = Math.max(1, ratePerSec);
    this.last = now();
  }

  /** Resolves when the caller may send (callers are served in order). */
  take(): Promise<void> {
    if (this.ratePerSec <= 0) return Promise.resolve();
    const turn = this.chain.then(() => this.waitForToken());
    this.chain = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(Math.max(1, this.ratePerSec), this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000)));
    }
  }
}

/** SQL of the shared buckets (migration 0010). Each returns {text, values}. */
export const rateBucketSql = {
  ensure: (key: string, burst: number) => ({
    text: `insert into rate_limit_buckets (key, tokens, refilled_at) values ($1, $2, clock_timestamp()) on conflict (key) do nothing`,
    values: [key, burst],
  }),
  /**
   * Refills the bucket by the time passed (the database's clock: one clock for every process),
   * caps it at the burst, and grants up to `want` whole tokens — one statement, the row locked
   * for its duration only.
   */
  lease: (key: string, ratePerSec: number, burst: number, want: number) => ({
    text: `with cur as (
             select key, least($2::float8, tokens + greatest(0, extract(epoch from clock_timestamp() - refilled_at)::float8) * $3::float8) as avail
             from rate_limit_buckets where key = $1 for update)
           update rate_limit_buckets b set tokens = cur.avail - least($4::int, floor(cur.avail)), refilled_at = clock_timestamp()
           from cur where b.key = cur.key
           returning least($4::int, floor(cur.avail))::int as granted, cur.avail::float8 as available`,
    values: [key, burst, ratePerSec, want],
  }),
};

/**
 * A provider's rate limit shared by every thread and process that uses the same database: one
 * token bucket per key in `rate_limit_buckets`. A limiter leases a tenth of a second's worth of
 * tokens at a time (one short UPDATE), so the database sees about ten requests a second per
 * busy key whatever the rate, and the limit holds across processes: tokens leased by a process
 * that dies are simply never used (the limit errs on the slow side, never the fast one).
 */
export class SharedRateLimiter implements Limiter {
  private local = 0;
  private chain: Promise<void> = Promise.resolve();
  private ensured: Promise<void> | null = null;
  private readonly burst: number;
  private readonly leaseSize: number;

  constructor(private readonly pool: pg.Pool, readonly key: string, private readonly ratePerSec: number, options: { leaseMs?: number } = {}) {
    this.burst = Math.max(1, ratePerSec);
    this.leaseSize = Math.max(1, Math.min(this.burst, Math.ceil((ratePerSec * (options.leaseMs ?? 100)) / 1000)));
  }

  take(): Promise<void> {
    if (this.ratePerSec <= 0) return Promise.resolve();
    const turn = this.chain.then(() => this.waitForToken());
    // A failed lease (the database went away) fails this caller, not every later one.
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async waitForToken(): Promise<void> {
    if (this.local > 0) {
      this.local--;
      return;
    }
    if (!this.ensured) {
      const ensure = rateBucketSql.ensure(this.key, this.burst);
      this.ensured = this.pool.query(ensure.text, ensure.values).then(() => undefined);
      this.ensured.catch(() => { this.ensured = null; });
    }
    await this.ensured;
    for (;;) {
      const lease = rateBucketSql.lease(this.key, this.ratePerSec, this.burst, this.leaseSize);
      const row = (await this.pool.query<{ granted: number; available: number }>(lease.text, lease.values)).rows[0];
      if (!row) {
        // The bucket row was removed under us: create it again.
        const ensure = rateBucketSql.ensure(this.key, this.burst);
        await this.pool.query(ensure.text, ensure.values);
        continue;
      }
      if (row.granted > 0) {
        this.local = row.granted - 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(((1 - row.available) / this.ratePerSec) * 1000))));
    }
  }
}
