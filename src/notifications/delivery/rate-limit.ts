/**
 * A token bucket: at most `ratePerSec` takes per second on average, bursts up to one second's
 * worth. Per worker thread (each thread has its own): a provider limit of N/s over T threads is
 * configured as N/T. 0 = no limit.
 */
export class RateLimiter {
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
