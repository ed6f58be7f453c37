import type { Command } from 'commander';
import { listSchedules, setSchedule } from '../billing/schedule.ts';
import { openContext, type GlobalOptions } from './context.ts';

export function registerSchedule(program: Command, global: () => GlobalOptions): void {
  const schedule = program.command('schedule').description('monthly billing runs on a cron schedule (run by `billflow worker`)');
  schedule
    .command('set')
    .description("bill the previous month on this cron (UTC), e.g. '0 2 1 * *' = 02:00 on the 1st")
    .argument('<cron>')
    .option('--name <name>', 'schedule name', 'monthly-run')
    .action(async (cron: string, flags: { name: string }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        await setSchedule(ctx.pool, flags.name, cron);
        process.stdout.write(`schedule ${flags.name}: '${cron}' — workers pick it up when they (re)start\n`);
      } finally {
        await ctx.close();
      }
    });
  schedule
    .command('off')
    .option('--name <name>', 'schedule name', 'monthly-run')
    .action(async (flags: { name: string }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        await setSchedule(ctx.pool, flags.name, null);
        process.stdout.write(`schedule ${flags.name} disabled\n`);
      } finally {
        await ctx.close();
      }
    });
  schedule
    .command('list')
    .action(async () => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        for (const s of await listSchedules(ctx.pool, ctx.config)) {
          process.stdout.write(`${s.name}\t${s.cron}\t${s.enabled ? 'on' : 'off'}\t(${s.source})\n`);
        }
      } finally {
        await ctx.close();
      }
    });
}
