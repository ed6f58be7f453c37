import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/index.ts';
import { BillflowError } from '../errors.ts';
import {
  buildInvoiceView, DocumentRenderer, getInvoicePdf, renderLoanStatementPdf, renderRunDocuments, requeueParkedRenders,
  sampleInvoiceRecord, type DocumentSettings,
} from '../documents/index.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption, runnerSettings } from './options.ts';

interface PdfFlags {
  out?: string;
  templates?: string;
  sample?: string;
  loan?: string;
  from?: string;
  to?: string;
  run?: string;
  requeue?: boolean;
  threads?: string;
  json?: boolean;
}

/** The `documents` config with `--templates` over it. */
export function documentSettings(config: Config, templates?: string): DocumentSettings {
  return { ...config.documents, templatesDir: templates ?? config.documents.templatesDir };
}

function isoDate(name: string, raw: string | undefined): string {
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw new BillflowError('invalid_input', `${name}: expected YYYY-MM-DD, got '${raw ?? ''}'`, { details: [{ field: name.replace(/^--/, ''), message: 'YYYY-MM-DD' }] });
  }
  return raw;
}

async function writeOut(out: string | undefined, pdf: Buffer, what: string): Promise<string> {
  if (!out) throw new BillflowError('invalid_input', `--out FILE is required to write ${what}`, { details: [{ field: 'out', message: 'required' }] });
  const path = resolve(out);
  await writeFile(path, pdf);
  return path;
}

export function registerPdf(program: Command, global: () => GlobalOptions): void {
  program
    .command('pdf')
    .argument('[invoiceId]', 'the invoice whose PDF to write (rendered and stored first if missing)')
    .description('invoice PDFs: write one (--out), render a run\'s (--run), a loan statement (--loan), a sample (--sample), or requeue parked render jobs')
    .option('--out <file>', 'write the PDF here')
    .option('--templates <dir>', 'templates folder overriding the defaults (config documents.templatesDir)')
    .option('--sample <locale>', 'render a sample invoice (en, fr, de, es, hi, ja) without a database: for template work')
    .option('--loan <loanId>', 'a loan account statement (with --from and --to, YYYY-MM-DD, end exclusive)')
    .option('--from <date>', 'statement start (inclusive)')
    .option('--to <date>', 'statement end (exclusive)')
    .option('--run <runId>', 'render every invoice of a billing run that has no PDF yet, with progress')
    .option('--requeue', 'put parked render jobs back in the queue (all, or those of --run)')
    .option('--threads <n>', 'worker threads for --run (default billing.workers)')
    .option('--json', 'print one JSON object')
    .action(async (invoiceId: string | undefined, flags: PdfFlags) => {
      const print = (human: string, json: object) => process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
      if (flags.sample) {
        const renderer = new DocumentRenderer({ templatesDir: flags.templates ?? null });
        const [doc] = renderer.renderBatch([buildInvoiceView(sampleInvoiceRecord(1, flags.sample), renderer.templates)]);
        const path = await writeOut(flags.out, doc!.pdf, 'the sample');
        print(`wrote ${path} (${doc!.pages} page(s), ${doc!.pdf.length} bytes)`, { path, pages: doc!.pages, size: doc!.pdf.length });
        return;
      }
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const settings = documentSettings(ctx.config, flags.templates);
        const deps = { db: ctx.pool, settings, dataDir: ctx.config.dataDir, log: ctx.log };
        const runId = flags.run !== undefined ? intOption('--run', flags.run, 1) : null;
        if (flags.requeue) {
          const n = await requeueParkedRenders(ctx.pool, { runId, maxAttempts: settings.maxAttempts });
          print(`${n} parked render job(s) queued again`, { requeued: n });
        } else if (runId !== null) {
          const threads = flags.threads !== undefined ? intOption('--threads', flags.threads, 1, 64) : Math.max(1, ctx.config.billing.workers);
          let last = 0;
          const summary = await renderRunDocuments({ pool: ctx.pool, log: ctx.log }, {
            runId, threads, runner: runnerSettings(ctx), documents: settings, dataDir: ctx.config.dataDir,
            onProgress: (p, ms) => {
              if (flags.json || ms - last < 1000) return;
              last = ms;
              process.stderr.write(`\rPDFs ${p.rendered.toLocaleString('en-US')} / ${p.invoices.toLocaleString('en-US')}`);
            },
          });
          if (!flags.json) process.stderr.write('\n');
          print(
            `run ${runId}: ${summary.rendered} of ${summary.invoices} invoices have a PDF (${summary.pdfsPerSec} PDFs/s) in ${summary.location}` +
              (summary.parkedJobs ? `\n  ${summary.parkedJobs} render job(s) parked: ${summary.lastError}\n  fix the template, then: billflow pdf --requeue --run ${runId}` : ''),
            summary,
          );
          if (summary.parkedJobs > 0) process.exitCode = 3;
        } else if (flags.loan) {
          const loanId = intOption('--loan', flags.loan, 1);
          const doc = await renderLoanStatementPdf(deps, { loanId, from: isoDate('--from', flags.from), to: isoDate('--to', flags.to) });
          const path = await writeOut(flags.out, doc.pdf, 'the statement');
          print(`wrote ${path}: statement ${doc.number}, ${doc.pages} page(s)`, { path, number: doc.number, pages: doc.pages, size: doc.pdf.length });
        } else {
          if (invoiceId === undefined) throw new BillflowError('invalid_input', 'give an INVOICE_ID (or --run, --loan, --sample, --requeue)', { details: [{ field: 'invoiceId', message: 'required' }] });
          const pdf = await getInvoicePdf(deps, intOption('invoiceId', invoiceId, 1));
          const path = await writeOut(flags.out, pdf.pdf, `invoice ${pdf.number}`);
          print(`wrote ${path}: ${pdf.number}, ${pdf.pages} page(s), ${pdf.size} bytes, sha256 ${pdf.sha256}${pdf.rendered ? ' (rendered now)' : ''}; stored at ${pdf.location}`, {
            path, invoiceId: pdf.invoiceId, number: pdf.number, pages: pdf.pages, size: pdf.size, sha256: pdf.sha256, stored: pdf.location, rendered: pdf.rendered,
          });
        }
      } finally {
        await ctx.close();
      }
    });
}
