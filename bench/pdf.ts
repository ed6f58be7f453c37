/**
 * `npm run bench -- pdf [--documents 100000] [--rounds 3] [--threads N] [--batch 300] [--chromium-docs 400] [--store] [--json]`
 *
 * Ours: 1-page invoices rendered by a pool of worker threads (one per core), each with its own
 * Typst compiler, in batches split into one PDF per invoice, each hashed (SHA-256), and written
 * to a temporary folder with --store. Peak RSS of the whole process (all threads) over the run.
 * Peer, in the same program and afterwards (not concurrently): Debian's Chromium driven by
 * playwright-core with 4 reused tabs, printing an equivalent HTML invoice to PDF. The machine may
 * be shared, so both sides also report CPU time (ours: process.cpuUsage; Chromium: the CPU time
 * of its whole process tree from /proc), and the ratio per CPU-second does not depend on load.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  buildInvoiceView, buildLoanStatementView, DirStore, DocumentRenderer, sampleInvoiceRecord, sampleStatementRecord, type DocumentView,
} from '../src/documents/index.ts';
import { intFlag, median, note, rssSampler } from './support.ts';

const LOCALES = ['en', 'fr', 'de', 'es', 'hi'];
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

interface ThreadJob { from: number; to: number; batch: number; storeDir: string | null; recycle: number }
interface ThreadResult { documents: number; bytes: number; pages: number; recycles: number }

/** Worker side: render documents [from, to) in batches of one locale each. */
async function threadMain(job: ThreadJob): Promise<ThreadResult> {
  const renderer = new DocumentRenderer({ recycleAfterDocuments: job.recycle });
  const store = job.storeDir ? new DirStore(job.storeDir) : null;
  const out: ThreadResult = { documents: 0, bytes: 0, pages: 0, recycles: 0 };
  for (let at = job.from, k = 0; at < job.to; at += job.batch, k++) {
    const locale = LOCALES[k % LOCALES.length]!;
    const views: DocumentView[] = [];
    for (let n = at; n < Math.min(at + job.batch, job.to); n++) views.push(buildInvoiceView(sampleInvoiceRecord(n, locale, 4 + (n % 5)), renderer.templates));
    const docs = renderer.renderBatch(views);
    for (const [i, d] of docs.entries()) {
      createHash('sha256').update(d.pdf).digest('hex');
      if (store) await store.put(`2026-11/${views[i]!.raw.customerId}/${views[i]!.number}.pdf`, d.pdf);
      out.documents++;
      out.bytes += d.pdf.length;
      out.pages += d.pages;
    }
    if (k % 20 === 0) parentPort?.postMessage({ progress: out.documents });
    // Let native finalizers run (see collectGarbage in src/documents/renderer.ts).
    await new Promise((resolve) => setImmediate(resolve));
  }
  out.recycles = renderer.stats.recycles;
  renderer.dispose();
  await new Promise((resolve) => setImmediate(resolve));
  return out;
}

if (!isMainThread && (workerData as { benchPdf?: ThreadJob } | null)?.benchPdf) {
  const result = await threadMain((workerData as { benchPdf: ThreadJob }).benchPdf);
  parentPort!.postMessage({ result });
}

function runThread(job: ThreadJob, onProgress: (n: number) => void): Promise<ThreadResult> {
  // Threads do not inherit tsx's hooks: the bootstrap registers them, then loads this file.
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { benchPdf: job } });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: { progress?: number; result?: ThreadResult }) => {
      if (m.result) resolve(m.result);
      else if (m.progress !== undefined) onProgress(m.progress);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`render thread exited with ${code}`)));
  });
}

async function benchOurs(documents: number, threads: number, batch: number, storeDir: string | null, recycle: number) {
  const rss = rssSampler();
  const cpu = process.cpuUsage();
  const done = new Array<number>(threads).fill(0);
  let lastNote = 0;
  const started = performance.now();
  const per = Math.ceil(documents / threads);
  const results = await Promise.all(Array.from({ length: threads }, (_, t) => runThread(
    { from: t * per, to: Math.min(documents, (t + 1) * per), batch, storeDir, recycle },
    (n) => {
      done[t] = n;
      if (performance.now() - lastNote > 5_000) {
        lastNote = performance.now();
        note(`${done.reduce((a, b) => a + b, 0)} / ${documents} PDFs, rss ${Math.round(process.memoryUsage().rss / 1048576)} MB`);
      }
    },
  )));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  rss.stop();
  const total = results.reduce((s, r) => ({ documents: s.documents + r.documents, bytes: s.bytes + r.bytes, pages: s.pages + r.pages, recycles: s.recycles + r.recycles }));
  return { ms, cpuMs: (used.user + used.system) / 1000, ...total, peakRssMb: rss.peakMb() };
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The same invoice as HTML for Chromium: same blocks, same data, a system sans-serif font. */
export function htmlInvoice(v: DocumentView): string {
  const l = v.labels as Record<string, string>;
  const rows = v.lines.map((x) => `<tr><td>${x.no}</td><td>${esc(x.description)}</td><td class=r>${x.quantity}</td><td>${esc(x.unit)}</td><td class=r>${x.unitPrice}</td><td class=r>${x.taxRate}</td><td class=r>${x.net}</td></tr>`).join('');
  const taxes = v.taxes.map((t) => `<tr><td>${esc(t.name)}</td><td class=r>${t.rate}</td><td class=r>${t.amount}</td></tr>`).join('');
  const party = (label: string, p: DocumentView['buyer']) => `<div class=party><small>${esc(label)}</small><b>${esc(p.name)}</b><br>${p.lines.map(esc).join('<br>')}</div>`;
  return `<!doctype html><html lang="${v.lang}"><meta charset="utf-8"><style>
    @page { size: A4; margin: 16mm 16mm 18mm } body { font: 8.5pt sans-serif; color: #1f2933 }
    .top { display: flex; justify-content: space-between } h1 { margin: 0; font-size: 17pt } .seller { color: #0b5cad; font-size: 15pt; font-weight: bold }
    .grid { display: flex; gap: 10pt; margin: 8pt 0 12pt } .party { flex: 1; background: #f0f4f8; padding: 8pt } small { display: block; color: #616e7c; text-transform: uppercase; font-size: 7pt; font-weight: bold }
    table { border-collapse: collapse; width: 100% } th { font-size: 7pt; color: #616e7c; text-transform: uppercase; text-align: left; border-bottom: .8pt solid #1f2933 }
    td { padding: 3pt 4pt } .r { text-align: right } .totals { margin-left: auto; width: 45% } .pay { border-left: 2pt solid #0b5cad; padding: 8pt; margin-top: 14pt }
  </style><body>
  <div class=top><div><div class=seller>${esc(v.seller.name)}</div>${v.seller.lines.map(esc).join('<br>')}</div><div style="text-align:right"><h1>${esc(v.title.split(' ')[0]!)}</h1><b>${v.number}</b></div></div>
  <div class=grid>${party(l.billedTo!, v.buyer)}${party(l.from!, v.seller)}<div>${esc(l.invoiceNumber!)} ${v.number}<br>${esc(l.issueDate!)} ${v.issueDate}<br>${esc(l.dueDate!)} <b>${v.dueDate}</b><br>${esc(l.servicePeriod!)} ${v.servicePeriod}<br>${esc(l.customerId!)} ${v.buyer.id}</div></div>
  <table><tr><th>#</th><th>${esc(l.description!)}</th><th class=r>${esc(l.quantity!)}</th><th>${esc(l.unit!)}</th><th class=r>${esc(l.unitPrice!)}</th><th class=r>${esc(l.tax!)}</th><th class=r>${esc(l.amount!)}</th></tr>${rows}</table>
  <div class=grid><table style="width:40%"><tr><th>${esc(l.tax!)}</th><th class=r>${esc(l.rate!)}</th><th class=r>${esc(l.amount!)}</th></tr>${taxes}</table>
  <table class=totals><tr><td>${esc(l.subtotal!)}</td><td class=r>${v.totals.subtotal}</td></tr><tr><td>${esc(l.tax!)}</td><td class=r>${v.totals.tax}</td></tr><tr><td><b>${esc(l.total!)} (${v.currency})</b></td><td class=r><b>${v.totals.total}</b></td></tr></table></div>
  <div class=pay><b>${esc(l.paymentTitle!)}</b><br>${esc(v.payment.note)}</div></body></html>`;
}

/** CPU ms (user + system, waited-for children included) of a process and its descendants, from /proc (Linux). */
function treeCpuMs(rootPid: number): number {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = readFileSync(`/proc/${name}/stat`, 'latin1');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      // Fields after the command: state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based from pid.
      stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  const inTree = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 16; p = stats.get(p)?.ppid ?? 0, depth++) if (p === rootPid) return true;
    return false;
  };
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks / ticksPerMs;
}

async function benchChromium(documents: number, tabs: number) {
  const { chromium } = await import('playwright-core');
  // A fresh, throw-away profile for every run (--user-data-dir), removed afterwards.
  const profile = mkdtempSync(join(tmpdir(), 'billflow-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const browser = { newPage: () => context.newPage(), close: () => context.close() };
  try {
    const templates = new DocumentRenderer().templates;
    const pages = await Promise.all(Array.from({ length: tabs }, () => browser.newPage()));
    // Warm-up: one document per tab (browser start-up is not counted).
    await Promise.all(pages.map(async (p, i) => {
      await p.setContent(htmlInvoice(buildInvoiceView(sampleInvoiceRecord(i, 'en'), templates)));
      await p.pdf({ format: 'A4', printBackground: true });
    }));
    let next = 0;
    let bytes = 0;
    // This process and its descendants (the browser and its renderers): Chromium plus the driver.
    const cpuBefore = treeCpuMs(process.pid);
    const started = performance.now();
    await Promise.all(pages.map(async (p) => {
      for (let n = next++; n < documents; n = next++) {
        await p.setContent(htmlInvoice(buildInvoiceView(sampleInvoiceRecord(n, LOCALES[n % LOCALES.length]!, 4 + (n % 5)), templates)));
        bytes += (await p.pdf({ format: 'A4', printBackground: true })).length;
      }
    }));
    const ms = performance.now() - started;
    return { ms, cpuMs: treeCpuMs(process.pid) - cpuBefore, documents, kb: bytes / documents / 1024 };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export async function benchPdf(flags: Map<string, string>): Promise<Record<string, unknown>> {
  const documents = intFlag(flags, 'documents', 100_000);
  const threads = intFlag(flags, 'threads', availableParallelism());
  const batch = intFlag(flags, 'batch', 300);
  const recycle = intFlag(flags, 'recycle', 20_000);
  const chromiumDocs = intFlag(flags, 'chromium-docs', 400);
  const rounds = intFlag(flags, 'rounds', 1);
  const storeDir = flags.has('store') ? mkdtempSync(join(tmpdir(), 'billflow-bench-pdf-')) : null;
  const result: Record<string, unknown> = { bench: 'pdf', documents, threads, batch, stored: storeDir !== null };
  try {
    // Sizes: a 1-page invoice and a 10-page statement (420 movements), rendered alone.
    const renderer = new DocumentRenderer();
    const [statement] = renderer.renderBatch([buildLoanStatementView(sampleStatementRecord(1, 420, 'en'), renderer.templates)]);
    note(`10-page statement: ${statement!.pages} pages, ${statement!.pdf.length} bytes`);
    const rates: number[] = [];
    const cpuRates: number[] = [];
    const loadBefore = loadavg()[0]!;
    let last: Awaited<ReturnType<typeof benchOurs>> | null = null;
    for (let r = 0; r < rounds; r++) {
      last = await benchOurs(documents, threads, batch, storeDir, recycle);
      rates.push(Math.round((last.documents * 1000) / last.ms));
      cpuRates.push(Math.round((last.documents * 1000) / last.cpuMs));
      note(`round ${r + 1}: ${last.documents} PDFs in ${Math.round(last.ms)} ms = ${rates.at(-1)}/s, peak RSS ${last.peakRssMb} MB`);
    }
    Object.assign(result, {
      pdfsPerSec: median(rates),
      roundsPdfsPerSec: rates,
      kbPerInvoice: Number((last!.bytes / last!.documents / 1024).toFixed(1)),
      pagesPerInvoice: Number((last!.pages / last!.documents).toFixed(2)),
      kbPerStatement10Pages: Number((statement!.pdf.length / 1024).toFixed(1)),
      statementPages: statement!.pages,
      peakRssMb: last!.peakRssMb,
      // The machine is shared: CPU time tells what the renderer costs whatever else runs.
      cpuMsPerPdf: Number((last!.cpuMs / last!.documents).toFixed(2)),
      pdfsPerCpuSec: median(cpuRates),
      cpuUtilization: Number((last!.cpuMs / last!.ms / threads).toFixed(2)),
      loadAverage: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
      compilerRecycles: last!.recycles,
    });
    if (chromiumDocs > 0) {
      const c = await benchChromium(chromiumDocs, 4);
      const rate = Number(((c.documents * 1000) / c.ms).toFixed(1));
      note(`chromium: ${c.documents} PDFs in ${Math.round(c.ms)} ms = ${rate}/s (${c.kb.toFixed(1)} KB each)`);
      // Chromium's CPU plus this process's (playwright, HTML building): a per-CPU figure like ours.
      const chromiumCpuRate = c.cpuMs > 0 ? Number(((c.documents * 1000) / c.cpuMs).toFixed(1)) : null;
      Object.assign(result, {
        chromiumPdfsPerSec: rate, chromiumKbPerInvoice: Number(c.kb.toFixed(1)), ratioVsChromium: Number((Number(result.pdfsPerSec) / rate).toFixed(1)),
        chromiumPdfsPerCpuSec: chromiumCpuRate,
        ratioVsChromiumPerCpuSec: chromiumCpuRate ? Number((Number(result.pdfsPerCpuSec) / chromiumCpuRate).toFixed(1)) : null,
      });
    }
  } finally {
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  }
  return result;
}
