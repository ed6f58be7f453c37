import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/db/pool.ts';
import { SharedRateLimiter } from '../../src/limits/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * A provider's rate limit held across processes: two pools stand for two processes (each with
 * its own limiter and connections); only the bucket row in Postgres is shared.
 */
describe('shared rate limit (rate_limit_buckets)', () => {
  let db: TestDatabase;
  let other: ReturnType<typeof createPool>;
  before(async () => {
    db = await createTestDatabase();
    other = createPool(db.url, { max: 4 });
  });
  after(async () => {
    await other.end();
    await db.drop();
  });

  it('two processes together stay within one rate', async () => {
    const a = new SharedRateLimiter(db.pool, 'test:twilio', 20);
    const b = new SharedRateLimiter(other, 'test:twilio', 20);
    const started = performance.now();
    const times: number[] = [];
    await Promise.all([
      ...Array.from({ length: 30 }, () => a.take().then(() => times.push(performance.now() - started))),
      ...Array.from({ length: 30 }, () => b.take().then(() => times.push(performance.now() - started))),
    ]);
    const elapsed = performance.now() - started;
    // 60 calls at 20/s with a one-second burst: 20 at once, 40 more take ≥ 2 s. Each process
    // alone would have been allowed 30 in 0.5 s.
    assert.ok(elapsed >= 1_800, `60 takes at 20/s across two processes took only ${Math.round(elapsed)} ms`);
    // In any window of one second after the burst, at most ~20 (+ the lease of the other process).
    const late = times.filter((t) => t >= 1_000 && t < 2_000).length;
    assert.ok(late <= 24, `${late} takes between 1 s and 2 s`);
  });

  it('keys are independent, and 0 means no limit (no database round trip)', async () => {
    const sms = new SharedRateLimiter(db.pool, 'test:sms', 1_000);
    const wa = new SharedRateLimiter(db.pool, 'test:whatsapp', 0);
    const started = performance.now();
    await Promise.all([...Array.from({ length: 500 }, () => sms.take()), ...Array.from({ length: 5_000 }, () => wa.take())]);
    assert.ok(performance.now() - started < 1_500);
    const rows = (await db.pool.query(`select key from rate_limit_buckets where key like 'test:%' order by key`)).rows.map((r) => r.key);
    assert.ok(rows.includes('test:sms'));
    assert.ok(!rows.includes('test:whatsapp'));
  });
});
