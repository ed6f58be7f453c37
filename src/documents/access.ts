import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { silentLog, type Log } from '../log.ts';
import { documentsSql } from './documents-sql.ts';
import { renderInvoices } from './render-invoices.ts';
import { threadRenderer } from './thread-renderer.ts';
import { buildLoanStatementView } from './statement-view.ts';
import { loadLoanStatement } from './statement-load.ts';
import type { DocumentSettings } from './storage.ts';

export interface DocumentDeps {
  db: pg.Pool;
  /** Config `documents` (see DEFAULT_DOCUMENT_SETTINGS) and the data dir (for the local store). */
  settings: DocumentSettings;
  dataDir: string;
  log?: Log;
}

export interface InvoicePdf {
  invoiceId: number;
  number: string;
  /** Suggested download name: '<number>.pdf'. */
  filename: string;
  pdf: Buffer;
  size: number;
  sha256: string;
  pages: number;
  /** Key in the store and where that is (a path or s3:// URL). */
  path: string;
  location: string;
  /** True when this call rendered it (it was missing, or its template or data changed). */
  rendered: boolean;
}

/**
 * An invoice's PDF, for `GET /api/v1/invoices/{id}/pdf` and `billflow pdf`: rendered and stored
 * first when there is none yet (or the stored file is gone), then read from the store.
 * Throws not_found (404) for an unknown invoice, template_error (500) for a broken template.
 */
export async function getInvoicePdf(deps: DocumentDeps, invoiceId: number): Promise<InvoicePdf> {
  if (!Number.isSafeInteger(invoiceId) || invoiceId <= 0) {
    throw new BillflowError('invalid_input', `invoice id must be a positive integer, got ${String(invoiceId)}`, { details: [{ field: 'id', message: 'positive integer' }] });
  }
  const { renderer, store } = await threadRenderer(deps.settings, deps.dataDir);
  const exists = await deps.db.query('select number from invoices where id = $1', [invoiceId]);
  if (exists.rowCount === 0) throw new BillflowError('not_found', `invoice ${invoiceId} not found`, { httpStatus: 404 });
  const read = async () => {
    const sql = documentsSql.document(invoiceId);
    const row = (await deps.db.query(sql.text, sql.values)).rows[0] as { path: string; sha256: string; pages: number } | undefined;
    const pdf = row ? await store.get(row.path) : null;
    // A file edited or lost behind our back is rendered again rather than served wrong.
    return row && pdf && createHash('sha256').update(pdf).digest('hex') === row.sha256 ? { row, pdf } : null;
  };
  const renderDeps = { db: deps.db, log: deps.log ?? silentLog, renderer, store };
  const outcome = await renderInvoices(renderDeps, [invoiceId], { batchSize: 1 });
  if (outcome.failed[0]) throw new BillflowError('template_error', outcome.failed[0].error, { httpStatus: 500 });
  let found = await read();
  let rendered = outcome.rendered > 0;
  if (!found) {
    await deps.db.query('delete from invoice_documents where invoice_id = $1', [invoiceId]);
    rendered = (await renderInvoices(renderDeps, [invoiceId], { batchSize: 1 })).rendered > 0;
    found = await read();
  }
  if (!found) throw new BillflowError('document_unavailable', `the PDF of invoice ${invoiceId} could not be stored or read back`, { httpStatus: 503, retryable: true });
  const number = String(exists.rows[0].number);
  return {
    invoiceId, number, filename: `${number}.pdf`, pdf: found.pdf, size: found.pdf.length, sha256: found.row.sha256, pages: found.row.pages,
    path: found.row.path, location: store.locate(found.row.path), rendered,
  };
}

/** A loan account statement for [from, to) as a PDF (rendered on demand, not stored). */
export async function renderLoanStatementPdf(deps: DocumentDeps, input: { loanId: number; from: string; to: string; issueDate?: string }): Promise<{ pdf: Buffer; pages: number; number: string }> {
  const { renderer } = await threadRenderer(deps.settings, deps.dataDir);
  renderer.refreshTemplates();
  const record = await loadLoanStatement(deps.db, { ...input, issueDate: input.issueDate ?? new Date().toISOString().slice(0, 10) });
  const [doc] = renderer.renderBatch([buildLoanStatementView(record, renderer.templates)]);
  return { pdf: doc!.pdf, pages: doc!.pages, number: record.number };
}
