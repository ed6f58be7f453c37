import { Command, CommanderError } from 'commander';
import { BillflowError } from '../errors.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { registerRun } from './run.ts';
import { registerWorker } from './worker.ts';
import { registerSchedule } from './schedule.ts';
import { registerSeed } from './seed.ts';
import { registerDemo } from './demo.ts';
import { registerServe } from './serve.ts';
import { registerKeys } from './keys.ts';
import { registerPdf } from './pdf.ts';
import { registerDeliveries } from './deliveries.ts';
import { registerLedger } from './ledger.ts';
import { registerPayments } from './payments.ts';
import { registerRepayments } from './repayments.ts';
import { registerCreditNote } from './credit-note.ts';
import { registerCredit } from './credit.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('billflow')
    .description('Billflow — an open-source billing engine. Data lives in embedded Postgres under .billflow/ unless DATABASE_URL is set.')
    .option('--config <file>', 'config file (default: ./billflow.config.json when present)')
    .option('--data-dir <dir>', 'embedded Postgres data directory (default .billflow)')
    .option('--database-url <url>', 'use this Postgres (≥ 14) instead of the embedded one')
    .showHelpAfterError()
    .exitOverride();
  const global = () => program.opts<GlobalOptions>();
  program
    .command('migrate')
    .description('apply database migrations (every command also does this on start)')
    .action(async () => {
      const ctx = await openContext(global());
      await ctx.close();
      process.stdout.write('database is up to date\n');
    });
  registerSeed(program, global);
  registerRun(program, global);
  registerWorker(program, global);
  registerSchedule(program, global);
  registerDemo(program, global);
  registerServe(program, global);
  registerKeys(program, global);
  registerPdf(program, global);
  registerDeliveries(program, global);
  registerLedger(program, global);
  registerPayments(program, global);
  registerRepayments(program, global);
  registerCreditNote(program, global);
  registerCredit(program, global);
  return program;
}

function printError(error: unknown): number {
  if (error instanceof BillflowError) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    for (const d of error.details) process.stderr.write(`  - ${d.field}: ${d.message}\n`);
    return 2;
  }
  if (error instanceof CommanderError) return error.exitCode;
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    process.exitCode = printError(error);
  }
}
