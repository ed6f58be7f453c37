import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createProvider } from '../payments/index.ts';
import { importRepayments, parseRepaymentFile, refundRepaymentExcess, resumeRefunds } from '../repayments/index.ts';
import { openContext, type GlobalOptions } from './context.ts';

/** `billflow repayments import FILE` and `billflow repayments refunds` (resume open refund sagas). */
export function registerRepayments(program: Command, global: () => GlobalOptions): void {
  const repayments = program.command('repayments').description('money customers send: import, duplicates, credit and refunds');
  repayments
    .command('import <file>')
    .description('import repayments from CSV (header: customer_id,amount_minor,currency,channel,external_ref,received_at,loan_id) or NDJSON')
    .option('--format <format>', 'csv | ndjson (default: from the file name)')
    .option('--json', 'print one JSON object')
    .action(async (file: string, flags: { format?: string; json?: boolean }) => {
      const format = (flags.format ?? (/\.(nd)?jsonl?$/i.test(file) || file.endsWith('.ndjson') ? 'ndjson' : 'csv')) as 'csv' | 'ndjson';
      const rows = parseRepaymentFile(readFileSync(file, 'utf8'), format); // every row checked before anything is written
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const settings = ctx.config.payments;
        const provider = createProvider(ctx.pool, settings);
        let refunds = 0;
        const summary = await importRepayments({ pool: ctx.pool, settings: settings.repayments }, rows, `import:${file.split('/').pop()}`, async (r) => {
          if (!settings.repayments.refundExcess || r.status !== 'accepted' || r.refundableMinor === 0) return; // credit is applied before it is refunded
          const row = (await ctx.pool.query('select customer_id, currency from repayments where id = $1', [r.repaymentId])).rows[0];
          const saga = await refundRepaymentExcess({ pool: ctx.pool, provider }, { repaymentId: r.repaymentId, customerId: row.customer_id, currency: row.currency, amountMinor: r.refundableMinor });
          if (saga.status === 'posted') refunds++;
        });
        await provider.close();
        const { results, ...totals } = summary;
        void results;
        process.stdout.write(flags.json ? `${JSON.stringify({ ...totals, refunds })}\n`
          : `${summary.rows} row(s): ${summary.accepted} accepted, ${summary.duplicates} duplicate(s) blocked; applied ${summary.appliedMinor}, credit ${summary.excessMinor}, credit applied ${summary.creditAppliedMinor} (minor units)${refunds ? `, ${refunds} refund(s)` : ''}\n`);
      } finally {
        await ctx.close();
      }
    });
  repayments
    .command('refunds')
    .description('resume refund sagas left open (unknown provider answer or a crash), with the same idempotency keys')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const provider = createProvider(ctx.pool, ctx.config.payments);
        const out = await resumeRefunds({ pool: ctx.pool, provider });
        await provider.close();
        process.stdout.write(flags.json ? `${JSON.stringify(out)}\n` : `${out.length} open refund(s): ${out.map((r) => `${r.intentId} ${r.status}`).join(', ') || 'none'}\n`);
      } finally {
        await ctx.close();
      }
    });
}
