import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { seedDataset } from '../seed/index.ts';
import { parsePeriod, periodOf } from '../billing/calendar.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption } from './options.ts';

export function seedProgress(quiet: boolean): { onProgress: (done: number, total: number) => void; stop(): void } {
  if (quiet) return { onProgress() {}, stop() {} };
  if (!process.stderr.isTTY || process.env.CI) {
    let lastPct = -1;
    return {
      onProgress(done, total) {
        const pct = Math.floor((done * 10) / total) * 10;
        if (pct !== lastPct) {
          lastPct = pct;
          process.stderr.write(`seed: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} customers\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({ format: ' seeding {bar} {percentage}% | {value}/{total} customers | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    onProgress(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerSeed(program: Command, global: () => GlobalOptions): void {
  program
    .command('seed')
    .description('make a deterministic synthetic dataset (subscriptions, usage, loans, one-off charges)')
    .requiredOption('--customers <n>', 'how many customers to add')
    .option('--seed <s>', 'random seed (same seed → same data)', '1')
    .option('--period <YYYY-MM>', 'the period the usage and charges fall in (default: this month)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { customers: string; seed: string; period?: string; json?: boolean }) => {
      const customers = intOption('--customers', flags.customers, 1, 50_000_000);
      const seed = intOption('--seed', flags.seed, 0, 2 ** 31 - 1);
      const period = flags.period ?? periodOf(new Date().toISOString().slice(0, 10));
      parsePeriod(period);
      const ctx = await openContext(global(), {}, { quiet: flags.json });
      const progress = seedProgress(Boolean(flags.json));
      try {
        const summary = await seedDataset(ctx.pool, { customers, seed, period, onProgress: progress.onProgress });
        progress.stop();
        process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `seeded ${summary.customers.toLocaleString('en-US')} customers (ids ${summary.firstCustomerId}–${summary.lastCustomerId}) in ${(summary.durationMs / 1000).toFixed(1)} s\n`);
      } finally {
        progress.stop();
        await ctx.close();
      }
    });
}
