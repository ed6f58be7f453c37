import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import {
  DEFAULT_DOCUMENT_SETTINGS, DEFAULT_TEMPLATES_DIR, DirStore, DocumentRenderer, processRenderJob, queueRender, renderInvoices, requeueParkedRenders,
} from '../../src/documents/index.ts';
import { silentLog } from '../../src/log.ts';
import { pdfText } from './pdf-tools.ts';

const PERIOD = '2026-11';

describe('documents: the render stage of a billing run', { concurrency: false }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let runId: number;
  // Collection is off: a paid invoice's PDF says so, and this file checks that re-rendering changes nothing.
  const env = () => ({ BILLFLOW_DATA_DIR: dataDir, BILLFLOW_COLLECT_ON_RUN: 'false' });

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'billflow-docs-'));
    const seeded = await runCli(['seed', '--customers', '300', '--seed', '3', '--period', PERIOD, '--json'], { databaseUrl: db.url, env: env() });
    assert.equal(seeded.code, 0, seeded.stderr);
    const run = await runCli(['run', '--period', PERIOD, '--issue-date', '2026-12-01', '--shard-size', '100', '--workers', '2', '--json'], { databaseUrl: db.url, env: env() });
    assert.equal(run.code, 0, run.stderr);
    runId = JSON.parse(run.stdout.trim().split('\n').at(-1)!).runId;
  });
  after(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every invoice of the run gets one PDF, laid out by period and customer, with size and SHA-256 recorded', async () => {
    const out = await runCli(['pdf', '--run', String(runId), '--threads', '2', '--json'], { databaseUrl: db.url, env: env() });
    assert.equal(out.code, 0, out.stderr);
    const summary = JSON.parse(out.stdout.trim());
    assert.equal(summary.parkedJobs, 0);
    assert.ok(summary.invoices > 250);
    assert.equal(summary.rendered, summary.invoices);
    assert.equal(summary.location, join(dataDir, 'documents'));
    const rows = (await db.pool.query(`select d.*, i.customer_id, i.number from invoice_documents d join invoices i on i.id = d.invoice_id`)).rows;
    assert.equal(rows.length, summary.invoices);
    for (const r of rows) {
      assert.equal(r.path, `${PERIOD}/${r.customer_id}/${r.number}.pdf`);
      const bytes = readFileSync(join(dataDir, 'documents', r.path));
      assert.equal(bytes.length, r.size_bytes);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), r.sha256);
      assert.ok(r.size_bytes <= 30 * 1024, `${r.number}: ${r.size_bytes} bytes`);
    }
    assert.equal(Number((await db.pool.query(`select count(*) from document_render_jobs where status <> 'done'`)).rows[0].count), 0);
  });

  it('rendering again is idempotent: same content hash, nothing written', async () => {
    const ids = (await db.pool.query('select id from invoices order by id')).rows.map((r) => r.id as number);
    const before = (await db.pool.query('select invoice_id, sha256, rendered_at from invoice_documents order by invoice_id')).rows;
    const renderer = new DocumentRenderer();
    const outcome = await renderInvoices({ db: db.pool, log: silentLog, renderer, store: new DirStore(join(dataDir, 'documents')) }, ids, { batchSize: 50 });
    assert.deepEqual({ rendered: outcome.rendered, unchanged: outcome.unchanged }, { rendered: 0, unchanged: ids.length });
    assert.deepEqual((await db.pool.query('select invoice_id, sha256, rendered_at from invoice_documents order by invoice_id')).rows, before);
  });

  it('billflow pdf INVOICE_ID --out FILE writes the stored PDF, with number, customer and total in its text', async () => {
    const inv = (await db.pool.query(`select i.id, i.number, i.total_minor, i.currency, c.name from invoices i join customers c on c.id = i.customer_id
      where c.locale = 'en' order by i.id limit 1`)).rows[0];
    const file = join(dataDir, 'one.pdf');
    const out = await runCli(['pdf', String(inv.id), '--out', file, '--json'], { databaseUrl: db.url, env: env() });
    assert.equal(out.code, 0, out.stderr);
    const stored = (await db.pool.query('select path from invoice_documents where invoice_id = $1', [inv.id])).rows[0];
    assert.ok(readFileSync(file).equals(readFileSync(join(dataDir, 'documents', stored.path))));
    const text = (await pdfText(readFileSync(file))).text.join(' ').replace(/\s+/g, '');
    assert.ok(text.includes(inv.number));
    assert.ok(text.includes(inv.name.replace(/\s+/g, '')));
    const { formatMinor } = await import('../../src/money/format.ts');
    assert.ok(text.includes(formatMinor(inv.total_minor, inv.currency, 'en').replace(/\s+/g, '')));
    const missing = await runCli(['pdf', '999999999', '--out', file], { databaseUrl: db.url, env: env() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found/);
  });

  it('a broken template parks the render job with the file and line; requeue after the fix renders', async () => {
    const templates = mkdtempSync(join(tmpdir(), 'billflow-broken-'));
    try {
      const source = readFileSync(join(DEFAULT_TEMPLATES_DIR, 'invoice.typ'), 'utf8');
      cpSync(join(DEFAULT_TEMPLATES_DIR, 'invoice.typ'), join(templates, 'invoice.typ'));
      writeFileSync(join(templates, 'invoice.typ'), source.replace('#let render(doc) = setup(doc, footer: "multi-page")[', '#let render(doc) = setup(doc, footer: "multi-page")[\n  #undefined-function(doc)'));
      const ids = (await db.pool.query('select id from invoices order by id limit 5')).rows.map((r) => r.id as number);
      const client = await db.pool.connect();
      const { renderJobIds } = await queueRender(client, { invoiceIds: ids, maxAttempts: 1 }).finally(() => client.release());
      const settings = { ...DEFAULT_DOCUMENT_SETTINGS, templatesDir: templates };
      const ctx = { pool: db.pool, log: silentLog, settings, dataDir };
      await assert.rejects(processRenderJob(ctx, { renderJobId: renderJobIds[0]!, attempt: 1, maxAttempts: 1 }), /undefined-function/);
      const job = (await db.pool.query('select status, last_error from document_render_jobs where id = $1', [renderJobIds[0]])).rows[0];
      assert.equal(job.status, 'parked');
      assert.ok(job.last_error.includes(`${join(templates, 'invoice.typ')}:6:`), job.last_error);
      writeFileSync(join(templates, 'invoice.typ'), source.replace('#text(size: 7pt, fill: muted, l.thanks)', '[Fixed template]'));
      assert.equal(await requeueParkedRenders(db.pool), 1);
      await processRenderJob(ctx, { renderJobId: renderJobIds[0]!, attempt: 1, maxAttempts: 1 });
      const done = (await db.pool.query('select status, rendered from document_render_jobs where id = $1', [renderJobIds[0]])).rows[0];
      assert.deepEqual([done.status, done.rendered], ['done', 5], 'the edited template changed the content hash: re-rendered');
      const path = (await db.pool.query('select path from invoice_documents where invoice_id = $1', [ids[0]])).rows[0].path;
      assert.match((await pdfText(readFileSync(join(dataDir, 'documents', path)))).text.join(' '), /Fixed template/);
      assert.ok(existsSync(join(dataDir, 'documents', path)));
    } finally {
      rmSync(templates, { recursive: true, force: true });
    }
  });
});
