import type { Command } from 'commander';
import { formatMinor } from '../money/format.ts';
import { applyCreditNow } from '../payments/index.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption } from './options.ts';

/** `billflow credit apply CUSTOMER_ID`: apply a customer's credit to their open invoices now (collection does it before charging). */
export function registerCredit(program: Command, global: () => GlobalOptions): void {
  const credit = program.command('credit').description('customer credit (repayment excess, credit notes of paid invoices)');
  credit
    .command('apply <customerId>')
    .description("apply the customer's credit to their open invoices, oldest first (an invoice covered in full becomes paid)")
    .option('--currency <code>', "the credit's currency (default: the customer's billing currency)")
    .option('--json', 'print one JSON object')
    .action(async (customerId: string, flags: { currency?: string; json?: boolean }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const r = await applyCreditNow({ pool: ctx.pool, clock: { now: () => new Date() } },
          { customerId: intOption('customerId', customerId, 1), currency: flags.currency?.toUpperCase(), trigger: 'cli' });
        const money = (v: number) => formatMinor(v, r.currency, 'en');
        process.stdout.write(flags.json ? `${JSON.stringify(r)}\n`
          : `applied ${money(r.appliedMinor)} of credit to ${r.applications.length} invoice(s)` +
            `${r.applications.map((a) => `\n  invoice ${a.invoiceId}: ${money(a.amountMinor)}, due now ${money(a.amountDueMinor)}`).join('')}` +
            `\n${r.paidInvoiceIds.length} paid in full; credit left ${money(r.creditLeftMinor)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
