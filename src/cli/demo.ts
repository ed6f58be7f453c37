import type { Command } from 'commander';
import { createRun } from '../billing/run.ts';
import { executeRun } from '../billing/execute.ts';
import { collectForDemo } from './demo-payments.ts';
import { createProgressReporter } from '../billing/progress.ts';
import { periodOf } from '../billing/calendar.ts';
import { seedDataset } from '../seed/index.ts';
import { formatMinor } from '../money/format.ts';
import { convertMinor, indexFxRates } from '../money/fx.ts';
import { loadFxRates, quarantineReport, sampleInvoices, totalsByCurrency } from '../invoices/index.ts';
import { openContext, type CliContext, type GlobalOptions } from './context.ts';
import { describeSummary } from './run.ts';
import { intOption, runnerSettings } from './options.ts';
import { seedProgress } from './seed.ts';
import { serveAfterDemo } from './serve.ts';
import { renderDemoDocuments } from './demo-documents.ts';
import { deliverDemoInvoices } from './demo-deliveries.ts';

const DEMO_SEED = 42;

async function printReport(ctx: CliContext, period: string, issueDate: string): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const totals = await totalsByCurrency(ctx.pool, period);
  const reporting = ctx.config.billing.reportingCurrency;
  const fx = indexFxRates(await loadFxRates(ctx.pool));
  out();
  out(`Totals for ${period} by currency`);
  out(`  ${'currency'.padEnd(9)}${'invoices'.padStart(9)}${'net'.padStart(20)}${'tax'.padStart(18)}${'total'.padStart(20)}${`≈ ${reporting}`.padStart(18)}`);
  let reportingTotal = 0;
  for (const t of totals) {
    let converted = '';
    try {
      const v = convertMinor(t.totalMinor, t.currency, reporting, issueDate, fx);
      reportingTotal += v;
      converted = formatMinor(v, reporting);
    } catch {
      converted = '(no FX rate)';
    }
    out(`  ${t.currency.padEnd(9)}${String(t.invoices).padStart(9)}${formatMinor(t.subtotalMinor - t.discountMinor, t.currency).padStart(20)}${formatMinor(t.taxMinor, t.currency).padStart(18)}${formatMinor(t.totalMinor, t.currency).padStart(20)}${converted.padStart(18)}`);
  }
  out(`  all currencies ≈ ${formatMinor(reportingTotal, reporting)} (sample FX rates from fx_rates)`);
  out();
  out('Sample invoices');
  for (const s of await sampleInvoices(ctx.pool, period, 4)) {
    out(`  ${s.number}  ${s.customerName} (${s.segment ?? 'customer'}) — ${formatMinor(s.totalMinor, s.currency)} incl. ${formatMinor(s.taxMinor, s.currency)} tax`);
    for (const l of s.lines.slice(0, 6)) {
      out(`      ${String(l.lineNo).padStart(2)}. ${l.description.slice(0, 52).padEnd(52)} ${formatMinor(l.totalMinor, s.currency).padStart(14)}`);
    }
    if (s.lines.length > 6) out(`      … ${s.lines.length - 6} more lines`);
  }
  const q = await quarantineReport(ctx.pool, period, 3);
  if (q.counts.length > 0) {
    out();
    out(`Quarantined (not issued): ${q.counts.map((c) => `${c.n} ${c.code}`).join(', ')}`);
    for (const s of q.samples) out(`  customer ${s.customer_id} ${s.name}: ${s.reasons.map((r) => r.message).join('; ')}`);
  }
}

export function registerDemo(program: Command, global: () => GlobalOptions): void {
  program
    .command('demo')
    .description('seed 10,000 customers (first time), run this month\'s billing and print a summary')
    .option('--customers <n>', 'customers to seed on first run', '10000')
    .option('--period <YYYY-MM>', 'period to bill (default: this month)')
    .option('--no-serve', 'exit when the demo is done')
    .action(async (flags: { customers: string; period?: string; serve: boolean }) => {
      const customers = intOption('--customers', flags.customers, 1, 10_000_000);
      const today = new Date().toISOString().slice(0, 10);
      const period = flags.period ?? periodOf(today);
      const ctx = await openContext(global());
      // With a person at a terminal (not CI, not --no-serve) the demo leaves the API running.
      let serving = false;
      try {
        const existing = Number((await ctx.pool.query('select count(*)::int as n from customers')).rows[0].n);
        if (existing === 0) {
          process.stderr.write(`seeding ${customers.toLocaleString('en-US')} customers (seed ${DEMO_SEED})…\n`);
          const progress = seedProgress(false);
          const seeded = await seedDataset(ctx.pool, { customers, seed: DEMO_SEED, period, onProgress: progress.onProgress });
          progress.stop();
          process.stderr.write(`seeded in ${(seeded.durationMs / 1000).toFixed(1)} s: ${Object.entries(seeded.bySegment).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
        } else {
          process.stderr.write(`reusing the ${existing.toLocaleString('en-US')} customers already in ${ctx.embedded ? ctx.config.dataDir : 'the database'} (a second run bills nothing twice)\n`);
        }
        const created = await createRun(ctx.pool, {
          period, issueDate: today, shardSize: Math.min(ctx.config.billing.shardSize, 1000),
          maxAttempts: ctx.config.billing.maxAttempts, netTermsDays: ctx.config.billing.netTermsDays, trigger: 'cli',
        });
        process.stderr.write(`billing ${period}: run ${created.runId}, ${created.shards} shards on ${ctx.config.billing.workers} worker thread(s)\n`);
        const reporter = createProgressReporter();
        const summary = await executeRun({ pool: ctx.pool, log: ctx.log }, {
          runId: created.runId, threads: Math.max(1, ctx.config.billing.workers), runner: runnerSettings(ctx),
          onProgress: (p, ms) => reporter.update(p, ms),
        });
        reporter.stop();
        process.stdout.write(`\n${describeSummary(summary)}\n`);
        await printReport(ctx, period, today);
        await renderDemoDocuments(ctx, created.runId);
        await collectForDemo(ctx, created.runId);
        await deliverDemoInvoices(ctx);
        process.stdout.write(`\nWhere to look next\n`);
        process.stdout.write(`  billflow runs                       every run and its counts\n`);
        process.stdout.write(`  billflow run --status ${created.runId}            shard-by-shard progress and errors\n`);
        process.stdout.write(`  billflow run --period ${period}        run it again: nothing is billed twice\n`);
        process.stdout.write(`  billflow deliveries counts          invoices sent by email, SMS, WhatsApp, and dead letters\n`);
        process.stdout.write(`  psql "${ctx.connectionString.replace(/:[^:@/]*@/, ':****@')}"   the data (invoices, invoice_lines, quarantined_invoices, outbox_events)\n`);
        serving = flags.serve && process.stdin.isTTY === true && !process.env.CI;
      } finally {
        if (!serving) await ctx.close();
      }
      if (serving) await serveAfterDemo(ctx);
    });
}
