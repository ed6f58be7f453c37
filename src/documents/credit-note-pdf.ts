/**
 * Credit note PDFs: rendered with templates/credit-note.typ, stored like invoice PDFs
 * (`<YYYY-MM of issue>/<customerId>/<number>.pdf`) and recorded in credit_note_documents with
 * path, size, SHA-256 and pages. Issuing a credit note queues a `credit_note_render` job in its
 * transaction (src/invoices/credit-notes.ts); `billflow credit-note` renders at once. Rendering
 * again with the same templates and data stores nothing new (the content hash).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import type { DocumentDeps } from './access.ts';
import { buildCreditNoteView } from './credit-note-view.ts';
import { documentsSql } from './documents-sql.ts';
import { partiesOf, storedOf, toLine } from './load.ts';
import { contentHash } from './render-invoices.ts';
import { threadRenderer } from './thread-renderer.ts';
import { documentKey, type DocumentSettings } from './storage.ts';
import { storeFor } from './stored-pdf.ts';
import type { TaxRecord } from './invoice-view.ts';

export interface CreditNotePdf {
  creditNoteId: number;
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
  /** True when this call rendered it. */
  rendered: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

function creditNoteNotFound(id: number): BillflowError {
  const message = `no credit note with id ${id}`;
  return new BillflowError('credit_note_not_found', message, { httpStatus: 404, details: [{ field: 'creditNoteId', message }] });
}

async function loadRow(db: pg.Pool, id: number): Promise<Row> {
  const sql = documentsSql.creditNote(id);
  const row = (await db.query(sql.text, sql.values)).rows[0] as Row | undefined;
  if (row === undefined) throw creditNoteNotFound(id);
  return row;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A credit note's PDF, rendered and stored first when there is none (or it is stale, gone or altered). */
export async function renderCreditNotePdf(deps: DocumentDeps, creditNoteId: number): Promise<CreditNotePdf> {
  const { renderer, store } = await threadRenderer(deps.settings, deps.dataDir);
  renderer.refreshTemplates();
  const r = await loadRow(deps.db, creditNoteId);
  const lines = (await deps.db.query(documentsSql.creditNoteLines(creditNoteId).text, [creditNoteId])).rows.map(toLine);
  const view = buildCreditNoteView({
    document: {
      id: r.id, number: r.number, period: r.period, currency: r.currency, subtotalMinor: r.subtotal_minor, discountMinor: r.discount_minor,
      taxMinor: r.tax_minor, totalMinor: r.total_minor, taxBreakdown: (r.tax_breakdown as TaxRecord[] | null) ?? [], issueDate: r.issue_date,
      dueDate: r.issue_date, periodStart: r.period_start, periodEnd: r.period_end, paymentStatus: 'not_required', ...partiesOf(r), lines,
    },
    invoiceNumber: r.invoice_number, reason: r.reason, receivableMinor: r.receivable_minor, customerCreditMinor: r.customer_credit_minor,
  }, renderer.templates);
  const hash = contentHash(renderer.templates.hash, view);
  const existing = storedOf(r);
  const base = { creditNoteId, number: r.number as string, filename: `${r.number}.pdf` };
  if (existing?.contentHash === hash) {
    const pdf = await store.get(existing.path);
    if (pdf !== null && sha256(pdf) === existing.sha256) {
      return { ...base, pdf, size: pdf.length, sha256: existing.sha256, pages: existing.pages, path: existing.path, location: store.locate(existing.path), rendered: false };
    }
  }
  const [doc] = renderer.renderBatch([view]);
  const key = documentKey(String(r.issue_date).slice(0, 7), r.customer_id, r.number);
  await store.put(key, doc!.pdf);
  const digest = sha256(doc!.pdf);
  const up = documentsSql.upsertCreditNoteDocument({
    creditNoteId, locale: view.locale, contentHash: hash, storage: store.kind, path: key, size: doc!.pdf.length, sha256: digest, pages: doc!.pages,
  });
  await deps.db.query(up.text, up.values);
  return { ...base, pdf: doc!.pdf, size: doc!.pdf.length, sha256: digest, pages: doc!.pages, path: key, location: store.locate(key), rendered: true };
}

/**
 * A credit note's stored PDF, read only (for the API: no Typst on the event loop). Not rendered
 * yet, or the stored file gone or altered: 404 pdf_not_ready (retryable); unknown: 404 credit_note_not_found.
 */
export async function getStoredCreditNotePdf(
  deps: { db: pg.Pool; settings: DocumentSettings; dataDir: string },
  creditNoteId: number,
): Promise<{ creditNoteId: number; number: string; filename: string; pdf: Buffer; sha256: string; pages: number }> {
  const r = await loadRow(deps.db, creditNoteId);
  const notReady = (why: string) => {
    const message = `credit note ${creditNoteId} has no PDF yet (${why}); it is rendered by a worker after issue: try again shortly`;
    return new BillflowError('pdf_not_ready', message, { httpStatus: 404, retryable: true, details: [{ field: 'creditNoteId', message }] });
  };
  const stored = storedOf(r);
  if (stored === null) throw notReady('not rendered');
  const pdf = await (await storeFor(deps.settings, deps.dataDir)).get(stored.path);
  if (pdf === null) throw notReady('the stored file is missing');
  if (sha256(pdf) !== stored.sha256) throw notReady('the stored file does not match its checksum');
  return { creditNoteId, number: r.number, filename: `${r.number}.pdf`, pdf, sha256: stored.sha256, pages: stored.pages };
}
