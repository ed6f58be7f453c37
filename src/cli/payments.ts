import type { Command } from 'commander';
import { collect, createProvider, resolveUnknown, scheduleJanitor } from '../payments/index.ts';
import { invoicesByPaymentStatus, paymentAttempts, requeueInvoice, PAYMENT_STATUSES, type PaymentStatus } from '../invoices/index.ts';
import { BillflowError } from '../errors.ts';
import { openContext, type CliContext, type GlobalOptions } from './context.ts';
import { intOption } from './options.ts';

function paymentDeps(ctx: CliContext) {
  const settings = ctx.config.payments;
  return { pool: ctx.pool, provider: createProvider(ctx.pool, settings), log: ctx.log, settings, clock: { now: () => new Date() } };
}

async function withContext(global: GlobalOptions, fn: (ctx: CliContext) => Promise<void>): Promise<void> {
  const ctx = await openContext(global, {}, { quiet: true });
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function print(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

/** `billflow collect` and `billflow payments …` (janitor, by-status, attempts, requeue). */
export function registerPayments(program: Command, global: () => GlobalOptions): void {
  registerCollect(program, global);
  const payments = program.command('payments').description('payment attempts, failed payments and requeue');
  registerJanitor(payments, global);
  registerFailedWorkflow(payments, global);
}

function registerCollect(program: Command, global: () => GlobalOptions): void {
  program
    .command('collect')
    .description('charge due invoices through the payment provider (settles unknown outcomes first; never charges twice)')
    .option('--run <id>', 'only the invoices of this billing run')
    .option('--invoice <id...>', 'only these invoices')
    .option('--max <n>', 'stop after this many attempts')
    .option('--json', 'print one JSON object')
    .action(async (flags: { run?: string; invoice?: string[]; max?: string; json?: boolean }) => {
      await withContext(global(), async (ctx) => {
        const deps = paymentDeps(ctx);
        const janitor = await resolveUnknown(deps);
        const summary = await collect(deps, {
          runId: flags.run === undefined ? null : intOption('--run', flags.run, 1),
          invoiceIds: flags.invoice?.map((i) => intOption('--invoice', i, 1)) ?? null,
          ...(flags.max === undefined ? {} : { maxAttempts: intOption('--max', flags.max, 1) }),
        });
        await scheduleJanitor(ctx.pool, deps.settings.callTimeoutMs);
        await deps.provider.close();
        print(flags.json, { ...summary, janitor }, `attempted ${summary.attempts} invoice(s) in ${summary.durationMs} ms: ${summary.paid} paid, ` +
          `${summary.retry} declined (retry scheduled), ${summary.failed} failed, ${summary.unknown} unknown (janitor will ask the provider); ` +
          `${summary.notRequired} needed no payment; customer credit applied ${summary.creditAppliedMinor} (minor units), paying ${summary.paidByCredit} invoice(s). Janitor settled ${janitor.checked - janitor.stillUnknown} unknown outcome(s).`);
      });
    });
}

function registerJanitor(payments: Command, global: () => GlobalOptions): void {
  payments
    .command('janitor')
    .description('ask the provider about unknown outcomes that are due (and orphaned attempts of stopped collectors)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      await withContext(global(), async (ctx) => {
        const deps = paymentDeps(ctx);
        const summary = await resolveUnknown(deps);
        await scheduleJanitor(ctx.pool, deps.settings.callTimeoutMs);
        print(flags.json, summary, `checked ${summary.checked}: ${summary.paid} paid, ${summary.notCharged} never charged, ${summary.stillUnknown} still unknown; ${summary.orphans} orphaned attempt(s) found`);
      });
    });
}

function registerFailedWorkflow(payments: Command, global: () => GlobalOptions): void {
  payments
    .command('list')
    .description('invoices by payment status, paged (oldest first)')
    .requiredOption('--status <status>', PAYMENT_STATUSES.join(' | '))
    .option('--page <n>', 'page from 0', '0')
    .option('--size <n>', 'page size', '50')
    .option('--json', 'print JSON')
    .action(async (flags: { status: string; page: string; size: string; json?: boolean }) => {
      const status = flags.status.toLowerCase();
      if (!(PAYMENT_STATUSES as readonly string[]).includes(status)) {
        throw new BillflowError('invalid_input', `--status: expected one of ${PAYMENT_STATUSES.join(', ')}`, { details: [{ field: 'status', message: 'unknown status' }] });
      }
      await withContext(global(), async (ctx) => {
        const page = await invoicesByPaymentStatus(ctx.pool, status as PaymentStatus, intOption('--page', flags.page, 0), intOption('--size', flags.size, 1, 1000));
        print(flags.json, page, page.invoices.map((i) => `${i.id}\t${i.number}\t${i.customerId}\t${i.currency} ${i.totalMinor}\t${i.paymentStatus}`).join('\n') || '(none)');
      });
    });
  payments
    .command('attempts <invoiceId>')
    .description('the payment attempts of an invoice: times, outcomes, failure codes and messages')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      await withContext(global(), async (ctx) => {
        const r = await paymentAttempts(ctx.pool, intOption('invoiceId', id, 1));
        print(flags.json, r, [`invoice ${r.number}: ${r.paymentStatus}`, ...r.attempts.map((a) =>
          `  #${a.attemptNo} ${a.outcome} ${a.attemptedAt}${a.failureCode ? ` ${a.failureCode}: ${a.failureMessage}` : ''}${a.providerRef ? ` (${a.providerRef})` : ''}`)].join('\n'));
      });
    });
  payments
    .command('requeue <invoiceId>')
    .description('queue a failed invoice for another collection attempt (twice in a row queues once)')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      await withContext(global(), async (ctx) => {
        const r = await requeueInvoice(ctx.pool, intOption('invoiceId', id, 1), null);
        print(flags.json, r, r.requeued ? `invoice ${r.number} queued for collection` : `invoice ${r.number} was already queued (${r.requestedAt})`);
      });
    });
}
