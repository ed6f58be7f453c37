import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { collect, createProvider, resolveUnknown } from '../payments/index.ts';
import { checkLedger } from '../ledger/index.ts';
import { formatMinor } from '../money/format.ts';
import { importRepayments, parseRepaymentFile } from '../repayments/index.ts';
import type { CliContext } from './context.ts';

/**
 * The demo's last step: collect the run's invoices through the configured provider (the sandbox
 * by default; the run's own collect jobs may have charged some already — nothing is charged
 * twice) and print paid / failed / unknown counts and whether the ledger balances.
 */
export async function collectForDemo(ctx: CliContext, runId: number): Promise<void> {
  const settings = ctx.config.payments;
  const provider = createProvider(ctx.pool, settings);
  const deps = { pool: ctx.pool, provider, log: ctx.log, settings, clock: { now: () => new Date() } };
  try {
    await resolveUnknown(deps);
    await collect(deps, { runId, trigger: 'run' });
  } finally {
    await provider.close();
  }
  const counts = Object.fromEntries((await ctx.pool.query<{ payment_status: string; n: number }>(
    `select payment_status, count(*)::int as n from invoices i join customers c on c.id = i.customer_id
     where i.run_id = $1 and c.collection_method = 'charge_automatically' group by 1`, [runId])).rows.map((r) => [r.payment_status, r.n]));
  const retrying = (await ctx.pool.query<{ n: number }>(`select count(*)::int as n from invoices i join payment_schedules s on s.invoice_id = i.id
    where i.run_id = $1 and i.payment_status = 'pending'`, [runId])).rows[0]!.n;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('');
  out(`Payments (${provider.name}): ${counts.paid ?? 0} paid, ${counts.failed ?? 0} failed, ${counts.unknown ?? 0} unknown (the janitor asks the provider), ` +
    `${retrying} declined and scheduled for a retry, ${counts.not_required ?? 0} with nothing to pay`);
  await repaymentsForDemo(ctx, runId, out);
  const ledger = await checkLedger(ctx.pool);
  out(`Ledger: ${ledger.entries} entries, ${ledger.ok ? 'debits = credits, every balance = its journal' : 'DOES NOT BALANCE — run billflow ledger check'}`);
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

interface TransferDue {
  id: number;
  customer_id: number;
  currency: string;
  due_minor: number;
}

/**
 * The customers who pay by themselves (collectionMethod send_invoice: bank transfer, UPI) are
 * never charged. The demo plays their bank: a statement file of the transfers received — most pay
 * what is due, every tenth pays a tenth more (the excess becomes customer credit), every
 * twentieth has not paid yet, and the bank repeats a few lines (same UTR: blocked as duplicates)
 * — written as CSV a person can open and imported as `billflow repayments import FILE` would.
 */
async function repaymentsForDemo(ctx: CliContext, runId: number, out: (line: string) => void): Promise<void> {
  const due = (await ctx.pool.query<TransferDue>(
    `select i.id, i.customer_id, i.currency, i.total_minor - i.credited_minor - i.credit_applied_minor as due_minor from invoices i
     join customers c on c.id = i.customer_id
     where i.run_id = $1 and c.collection_method = 'send_invoice' and i.payment_status = 'pending' and i.total_minor - i.credited_minor - i.credit_applied_minor > 0
     order by i.id`, [runId])).rows;
  if (due.length === 0) return;
  const receivedAt = new Date().toISOString();
  const lines = ['customer_id,amount_minor,currency,channel,external_ref,received_at'];
  const paying = due.filter((_, k) => k % 20 !== 19);
  paying.forEach((inv, k) => {
    const amount = k % 10 === 9 ? inv.due_minor + Math.ceil(inv.due_minor / 10) : inv.due_minor;
    const line = `${inv.customer_id},${amount},${inv.currency},${k % 2 === 0 ? 'upi' : 'bank_transfer'},UTR${String(runId).padStart(4, '0')}${String(inv.id).padStart(10, '0')},${receivedAt}`;
    lines.push(line);
    if (k % 50 === 7) lines.push(line); // the bank sends the same transfer twice
  });
  const dir = join(ctx.config.dataDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bank-statement-run-${runId}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const rows = parseRepaymentFile(`${lines.join('\n')}\n`, 'csv');
  const summary = await importRepayments({ pool: ctx.pool, settings: ctx.config.payments.repayments }, rows, `import:${file.split('/').pop()}`);
  const paid = summary.results.reduce((n, r) => n + r.paidInvoiceIds.length, 0);
  const credit = new Map<string, number>();
  summary.results.forEach((r, k) => {
    if (r.refundableMinor > 0) credit.set(rows[k]!.currency, (credit.get(rows[k]!.currency) ?? 0) + r.refundableMinor);
  });
  const awaiting = (await ctx.pool.query<{ n: number }>(`select count(*)::int as n from invoices i join customers c on c.id = i.customer_id
    where i.run_id = $1 and c.collection_method = 'send_invoice' and i.payment_status = 'pending'`, [runId])).rows[0]!.n;
  out(`Repayments (${due.length} invoices of customers who pay by transfer, never charged): imported ${shown(file)}, ` +
    `${summary.rows} rows: ${summary.accepted} accepted, ${summary.duplicates} duplicate(s) blocked (same UTR); ${paid} invoices paid, ` +
    `${awaiting} awaiting payment${credit.size > 0 ? `; overpaid → customer credit ${[...credit].map(([c, m]) => formatMinor(m, c)).join(', ')}` : ''}`);
}
