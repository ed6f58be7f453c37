import cliProgress from 'cli-progress';
import type { RunProgress } from './run.ts';

export interface ProgressReporter {
  update(progress: RunProgress, elapsedMs: number): void;
  stop(): void;
}

function rate(invoices: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((invoices * 1000) / elapsedMs) : 0;
}

/**
 * A live bar on a terminal (shards done, invoices/s, ETA); plain lines, at most one every
 * `plainEveryMs`, when stderr is not a terminal; nothing when quiet.
 */
export function createProgressReporter(options: { quiet?: boolean; plainEveryMs?: number } = {}): ProgressReporter {
  if (options.quiet) return { update() {}, stop() {} };
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  if (!tty) {
    let last = -Infinity;
    let lastDone = -1;
    return {
      update(p, elapsed) {
        const finished = p.status !== 'running';
        if (!finished && (elapsed - last < (options.plainEveryMs ?? 2000) || p.shardsDone === lastDone)) return;
        last = elapsed;
        lastDone = p.shardsDone;
        process.stderr.write(
          `run ${p.runId} ${p.period}: shards ${p.shardsDone}/${p.shards}` +
            (p.shardsParked ? ` (${p.shardsParked} parked)` : '') +
            ` · ${p.invoices} invoices · ${rate(p.invoices, elapsed)}/s · ${(elapsed / 1000).toFixed(1)}s\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: ' billing {bar} {percentage}% | shards {value}/{total} | {invoices} invoices | {rate}/s | ETA {eta_formatted}{parked}',
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p, elapsed) {
      const payload = { invoices: p.invoices, rate: rate(p.invoices, elapsed), parked: p.shardsParked ? ` | ${p.shardsParked} parked` : '' };
      if (!started) {
        bar.start(p.shards, p.shardsDone + p.shardsParked, payload);
        started = true;
      } else bar.update(p.shardsDone + p.shardsParked, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
