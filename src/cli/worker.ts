import type { Command } from 'commander';
import { MONTHLY_TASK } from '../billing/jobs.ts';
import { startThreadPool } from '../billing/thread-pool.ts';
import { listSchedules } from '../billing/schedule.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption, runnerSettings } from './options.ts';

/**
 * `billflow worker`: takes billing jobs from the shared database until stopped (SIGINT/SIGTERM
 * finish the jobs in hand first). Start any number, on any machine pointed at the same database.
 */
export function registerWorker(program: Command, global: () => GlobalOptions): void {
  program
    .command('worker')
    .description('process queued billing jobs (and scheduled runs) until stopped')
    .option('--threads <n>', 'worker threads in this process (default: billing.workers)')
    .action(async (flags: { threads?: string }) => {
      const ctx = await openContext(global());
      const threads = flags.threads !== undefined ? intOption('--threads', flags.threads, 1, 64) : Math.max(1, ctx.config.billing.workers);
      const schedules = await listSchedules(ctx.pool, ctx.config);
      const crontab = schedules.filter((s) => s.enabled).map((s) => `${s.cron} ${MONTHLY_TASK} ?id=${s.name}&jobKey=${s.name}&max=3`).join('\n');
      const settings = runnerSettings(ctx);
      // Only the first thread carries the crontab; graphile-worker also dedupes across processes.
      const first = await startThreadPool(1, { ...settings, crontab }, ctx.log);
      const rest = threads > 1 ? await startThreadPool(threads - 1, settings, ctx.log) : null;
      ctx.log.info(`worker ready: ${threads} thread(s), pid ${process.pid}${crontab ? `, schedules: ${schedules.map((s) => `${s.name} '${s.cron}'`).join(', ')}` : ''}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ctx.log.info(`${signal}: finishing jobs in hand, then stopping`);
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await Promise.all([first.stop(), rest?.stop()]);
      await ctx.close();
    });
}
