import { collect, createProvider, resolveUnknown } from '../payments/index.ts';
import { checkLedger } from '../ledger/index.ts';
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
    `select payment_status, count(*)::int as n from invoices where run_id = $1 group by 1`, [runId])).rows.map((r) => [r.payment_status, r.n]));
  const retrying = (await ctx.pool.query<{ n: number }>(`select count(*)::int as n from invoices i join payment_schedules s on s.invoice_id = i.id
    where i.run_id = $1 and i.payment_status = 'pending'`, [runId])).rows[0]!.n;
  const ledger = await checkLedger(ctx.pool);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('');
  out(`Payments (${provider.name}): ${counts.paid ?? 0} paid, ${counts.failed ?? 0} failed, ${counts.unknown ?? 0} unknown (the janitor asks the provider), ` +
    `${retrying} declined and scheduled for a retry, ${counts.not_required ?? 0} with nothing to pay`);
  out(`Ledger: ${ledger.entries} entries, ${ledger.ok ? 'debits = credits, every balance = its journal' : 'DOES NOT BALANCE — run billflow ledger check'}`);
}
