import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.ts';

describe('rate limiter', () => {
  it('lets a one-second burst through, then paces to the rate', async () => {
    const limiter = new RateLimiter(20);
    const started = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => limiter.take()));
    const elapsed = performance.now() - started;
    // 20 at once, then 10 more at 20/s ≈ 500 ms
    assert.ok(elapsed >= 400 && elapsed < 2000, `${elapsed} ms`);
  });

  it('0 means no limit', async () => {
    const limiter = new RateLimiter(0);
    const started = performance.now();
    await Promise.all(Array.from({ length: 1000 }, () => limiter.take()));
    // At any real limit, 1,000 takes would need ≥ 1 s; the bound is loose for a loaded machine.
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 900, `${elapsed} ms`);
  });
});
