import type { Command } from 'commander';
import { checkLedger } from '../ledger/index.ts';
import { openContext, type GlobalOptions } from './context.ts';

/** `billflow ledger check`: exit 0 when the books add up, 3 when a check fails. */
export function registerLedger(program: Command, global: () => GlobalOptions): void {
  const ledger = program.command('ledger').description('the double-entry ledger');
  ledger
    .command('check')
    .description('prove debits = credits (per entry and per currency) and every customer balance = the sum of its journal')
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const report = await checkLedger(ctx.pool);
        if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else {
          process.stdout.write(`${report.entries} entries, ${report.lines} lines\n`);
          for (const t of report.totals) process.stdout.write(`  ${t.currency}: debits ${t.debitMinor} = credits ${t.creditMinor}${t.debitMinor === t.creditMinor ? '' : '  ✗'}\n`);
          for (const c of report.checks) {
            process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : ` — ${c.problems} problem(s), e.g. ${JSON.stringify(c.samples)}`}\n`);
          }
          process.stdout.write(report.ok ? 'the ledger balances\n' : 'the ledger does NOT balance\n');
        }
        if (!report.ok) process.exitCode = 3;
      } finally {
        await ctx.close();
      }
    });
}
