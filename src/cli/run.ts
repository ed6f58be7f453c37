import type { Command } from 'commander';
import { BillflowError } from '../errors.ts';
import { cancelRun, createRun, getRunProgress, listRuns, resumeRun, shardErrors } from '../billing/run.ts';
import { executeRun, summarize, type RunSummary } from '../billing/execute.ts';
import { createProgressReporter } from '../billing/progress.ts';
import { parsePeriod } from '../billing/calendar.ts';
import { openContext, type CliContext, type GlobalOptions } from './context.ts';
import { intOption, runnerSettings } from './options.ts';

interface RunFlags {
  period?: string;
  resume?: string;
  cancel?: string;
  status?: string;
  json?: boolean;
  workers?: string;
  shardSize?: string;
  maxAttempts?: string;
  issueDate?: string;
  detach?: boolean;
}

export function describeSummary(s: RunSummary): string {
  const parts = [
    `run ${s.runId} for ${s.period}: ${s.status}`,
    `  customers    ${s.customers.toLocaleString('en-US')}`,
    `  invoices     ${s.invoices.toLocaleString('en-US')} created (${s.lines.toLocaleString('en-US')} lines)`,
    `  skipped      ${s.skipped.toLocaleString('en-US')} (${s.alreadyInvoiced.toLocaleString('en-US')} already invoiced, ${(s.skipped - s.alreadyInvoiced).toLocaleString('en-US')} with nothing to bill)`,
    `  quarantined  ${s.quarantined.toLocaleString('en-US')}`,
    `  failed shards ${s.failedShards}`,
    `  took         ${(s.durationMs / 1000).toFixed(1)} s (${s.invoicesPerSec.toLocaleString('en-US')} invoices/s)`,
  ];
  if (s.invoices === 0 && s.alreadyInvoiced > 0) {
    parts.push(`  nothing new: ${s.alreadyInvoiced.toLocaleString('en-US')} customers already had their ${s.period} invoice${s.quarantined ? `; ${s.quarantined} are still quarantined` : ''}`);
  }
  return parts.join('\n');
}

export async function runCommand(ctx: CliContext, flags: RunFlags): Promise<RunSummary | null> {
  const { pool, config } = ctx;
  const workers = flags.workers !== undefined ? intOption('--workers', flags.workers, 0, 64) : config.billing.workers;
  if (flags.cancel) {
    const runId = intOption('--cancel', flags.cancel, 1);
    const result = await cancelRun(pool, runId);
    process.stdout.write(flags.json ? `${JSON.stringify({ runId, ...result })}\n` : `run ${runId} canceled (${result.canceledShards} shards not started)\n`);
    return null;
  }
  if (flags.status) {
    const runId = intOption('--status', flags.status, 1);
    const progress = await getRunProgress(pool, runId);
    const errors = await shardErrors(pool, runId);
    process.stdout.write(`${JSON.stringify({ ...progress, errors }, null, flags.json ? 0 : 2)}\n`);
    return null;
  }
  let runId: number;
  if (flags.resume) {
    runId = intOption('--resume', flags.resume, 1);
    const resumed = await resumeRun(pool, runId, config.worker.deadAfterMs);
    if (!flags.json) process.stderr.write(`resuming run ${runId}: ${resumed.requeued} shard(s) queued, ${resumed.unlockedWorkers} dead worker(s) unlocked\n`);
  } else {
    if (!flags.period) throw new BillflowError('invalid_input', '--period is required (YYYY-MM), or --resume RUN_ID', { details: [{ field: 'period', message: 'required' }] });
    parsePeriod(flags.period);
    const created = await createRun(pool, {
      period: flags.period,
      shardSize: flags.shardSize !== undefined ? intOption('--shard-size', flags.shardSize, 1, 100_000) : config.billing.shardSize,
      maxAttempts: flags.maxAttempts !== undefined ? intOption('--max-attempts', flags.maxAttempts, 1, 25) : config.billing.maxAttempts,
      netTermsDays: config.billing.netTermsDays,
      issueDate: flags.issueDate ?? new Date().toISOString().slice(0, 10),
    });
    runId = created.runId;
    if (!flags.json) process.stderr.write(`run ${runId} planned: ${created.customers.toLocaleString('en-US')} customers in ${created.shards} shards, ${workers} local worker thread(s)\n`);
  }
  if (flags.detach) {
    process.stdout.write(flags.json ? `${JSON.stringify({ runId })}\n` : `run ${runId} queued; follow it with: billflow run --status ${runId}\n`);
    return null;
  }
  const reporter = createProgressReporter({ quiet: flags.json });
  const summary = await executeRun(
    { pool, log: ctx.log },
    { runId, threads: workers, runner: runnerSettings(ctx), onProgress: (p, ms) => reporter.update(p, ms) },
  );
  reporter.stop();
  process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${describeSummary(summary)}\n`);
  if (!flags.json && summary.failedShards > 0) {
    for (const e of await shardErrors(pool, runId)) {
      if (e.status === 'parked') process.stdout.write(`  shard ${e.shard_no} parked at ${e.stage} after ${e.attempts} attempts: ${e.last_error}\n`);
    }
    process.stdout.write(`  fix the cause, then: billflow run --resume ${runId}\n`);
  }
  return summary;
}

export function registerRun(program: Command, global: () => GlobalOptions): void {
  program
    .command('run')
    .description('run a billing period (plan shards, bill every customer once) or resume/cancel/inspect a run')
    .option('--period <YYYY-MM>', 'the billing period, e.g. 2026-11')
    .option('--resume <runId>', 'continue a run: requeue parked shards and the jobs of dead workers')
    .option('--cancel <runId>', 'cancel a running run (shards not started are dropped)')
    .option('--status <runId>', 'print a run\'s progress and shard errors')
    .option('--workers <n>', 'local worker threads (0 = only `billflow worker` processes)')
    .option('--shard-size <n>', 'customers per shard')
    .option('--max-attempts <n>', 'attempts per shard before it is parked')
    .option('--issue-date <YYYY-MM-DD>', 'the run\'s clock: issue date of its invoices (default today)')
    .option('--detach', 'plan and queue the run, then exit (workers do the rest)')
    .option('--json', 'print one JSON object at the end')
    .action(async (flags: RunFlags) => {
      const ctx = await openContext(global(), {}, { quiet: flags.json });
      try {
        const summary = await runCommand(ctx, flags);
        if (summary && summary.failedShards > 0) process.exitCode = 3;
      } finally {
        await ctx.close();
      }
    });
  program
    .command('runs')
    .description('list recent billing runs')
    .option('--json', 'JSON lines')
    .action(async (flags: { json?: boolean }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        for (const r of await listRuns(ctx.pool)) {
          const progress = summarize(await getRunProgress(ctx.pool, r.id), 0);
          process.stdout.write(flags.json ? `${JSON.stringify(progress)}\n` : `${r.id}\t${r.period}\t${r.status}\t${progress.invoices} invoices\t${progress.quarantined} quarantined\t${progress.failedShards} parked\n`);
        }
      } finally {
        await ctx.close();
      }
    });
}
