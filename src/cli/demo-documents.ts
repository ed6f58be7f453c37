import { renderRunDocuments } from '../documents/index.ts';
import type { CliContext } from './context.ts';
import { runnerSettings } from './options.ts';

/** Progress on stderr at most this often (a terminal line, not a log). */
const PROGRESS_EVERY_MS = 1_000;

/**
 * The demo's render step: every invoice of the run gets its PDF (the same function as
 * `billflow pdf --run`), then stdout says where the PDFs are and how to open one. A parked
 * render job (a broken template) is reported, not thrown: the billing figures still print.
 */
export async function renderDemoDocuments(ctx: CliContext, runId: number): Promise<void> {
  let last = 0;
  let lastRendered = -1;
  const summary = await renderRunDocuments({ pool: ctx.pool, log: ctx.log }, {
    runId, threads: Math.max(1, ctx.config.billing.workers), runner: runnerSettings(ctx),
    documents: ctx.config.documents, dataDir: ctx.config.dataDir,
    onProgress: (p, ms) => {
      if (ms - last < PROGRESS_EVERY_MS || p.rendered === lastRendered) return;
      last = ms;
      lastRendered = p.rendered;
      process.stderr.write(`PDFs ${p.rendered.toLocaleString('en-US')} / ${p.invoices.toLocaleString('en-US')}\n`);
    },
  });
  process.stdout.write(`\nInvoice PDFs: ${summary.rendered.toLocaleString('en-US')} of ${summary.invoices.toLocaleString('en-US')} rendered (${summary.pdfsPerSec} PDFs/s) in ${summary.location}\n`);
  if (summary.sample) process.stdout.write(`  e.g. ${summary.sample.location}  (or: billflow pdf ${summary.sample.invoiceId} --out invoice.pdf)\n`);
  if (summary.parkedJobs > 0) process.stdout.write(`  ${summary.parkedJobs} render job(s) parked: ${summary.lastError}\n  fix the template, then: billflow pdf --requeue --run ${runId}\n`);
}

