import { BillflowError } from '../errors.ts';
import type { RunnerSettings } from '../billing/jobs.ts';
import type { CliContext } from './context.ts';

export function intOption(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new BillflowError('invalid_input', `${name}: expected a whole number from ${min} to ${max}, got '${raw}'`, {
      details: [{ field: name.replace(/^--/, ''), message: `expected a whole number from ${min} to ${max}` }],
    });
  }
  return n;
}

export function runnerSettings(ctx: CliContext, crontab?: string): RunnerSettings {
  // Document settings and the data dir travel with the runner to its threads, so render jobs use
  // this command's --data-dir and templates (src/documents/render-job.ts reads them).
  const settings = {
    documents: ctx.config.documents,
    delivery: ctx.config.delivery,
    dataDir: ctx.config.dataDir,
    payments: ctx.config.payments,
    connectionString: ctx.connectionString,
    concurrency: ctx.config.worker.concurrency,
    pollIntervalMs: ctx.config.worker.pollIntervalMs,
    heartbeatMs: ctx.config.worker.heartbeatMs,
    deadAfterMs: ctx.config.worker.deadAfterMs,
    crontab,
    monthlyRun: {
      shardSize: ctx.config.billing.shardSize,
      maxAttempts: ctx.config.billing.maxAttempts,
      netTermsDays: ctx.config.billing.netTermsDays,
    },
  };
  return settings;
}
