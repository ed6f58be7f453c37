/**
 * An invoice's stored PDF, read only: what `GET /api/v1/invoices/{id}/pdf` serves. Unlike
 * getInvoicePdf (access.ts, for `billflow pdf`) it never renders: PDFs are rendered by the
 * workers after an invoice is issued, and an HTTP request must not compile Typst on the API's
 * event loop. An invoice with no PDF yet (or one whose stored file is gone or altered) answers
 * 404 `pdf_not_ready`, distinct from an unknown invoice (404 `invoice_not_found`).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { documentsSql } from './documents-sql.ts';
import { openStore, type DocumentSettings, type DocumentStore } from './storage.ts';

export interface StoredPdf {
  invoiceId: number;
  number: string;
  /** Suggested download name: '<number>.pdf'. */
  filename: string;
  pdf: Buffer;
  sha256: string;
  pages: number;
  renderedAt: string;
}

/** One store per settings (an S3 client is not made per request). */
const stores = new Map<string, Promise<DocumentStore>>();
const MAX_STORES = 16;

export function storeFor(settings: DocumentSettings, dataDir: string): Promise<DocumentStore> {
  const key = JSON.stringify([settings.storage, settings.dir, settings.s3, dataDir]);
  let store = stores.get(key);
  if (store === undefined) {
    if (stores.size >= MAX_STORES) stores.clear();
    store = openStore(settings, dataDir);
    stores.set(key, store);
    store.catch(() => stores.delete(key));
  }
  return store;
}

function notReady(invoiceId: number, why: string): BillflowError {
  const message = `invoice ${invoiceId} has no PDF yet (${why}); PDFs are rendered by the workers after issue: try again shortly`;
  return new BillflowError('pdf_not_ready', message, { httpStatus: 404, retryable: true, details: [{ field: 'invoiceId', message }] });
}

export async function getStoredInvoicePdf(
  deps: { db: pg.Pool; settings: DocumentSettings; dataDir: string },
  invoiceId: number,
): Promise<StoredPdf> {
  const invoice = (await deps.db.query<{ number: string }>('select number from invoices where id = $1', [invoiceId])).rows[0];
  if (invoice === undefined) {
    const message = `no invoice with id ${invoiceId}`;
    throw new BillflowError('invoice_not_found', message, { httpStatus: 404, details: [{ field: 'invoiceId', message }] });
  }
  const sql = documentsSql.document(invoiceId);
  const row = (await deps.db.query<{ path: string; sha256: string; pages: number; rendered_at: Date }>(sql.text, sql.values)).rows[0];
  if (row === undefined) throw notReady(invoiceId, 'not rendered');
  const pdf = await (await storeFor(deps.settings, deps.dataDir)).get(row.path);
  // A file lost or edited behind our back is not served: the next render replaces it.
  if (pdf === null) throw notReady(invoiceId, 'the stored file is missing');
  if (createHash('sha256').update(pdf).digest('hex') !== row.sha256) throw notReady(invoiceId, 'the stored file does not match its checksum');
  return {
    invoiceId, number: invoice.number, filename: `${invoice.number}.pdf`, pdf, sha256: row.sha256, pages: row.pages,
    renderedAt: row.rendered_at.toISOString(),
  };
}
