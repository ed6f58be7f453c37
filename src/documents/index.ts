/**
 * Documents: invoice, credit note and loan statement PDFs rendered in-process with Typst from
 * editable templates (templates/), stored in a folder or an S3-compatible bucket. The pipeline
 * stage is a graphile-worker task queued by billing after persist. See docs/documents.md.
 */
export { getInvoicePdf, renderLoanStatementPdf } from './access.ts';
export { getStoredInvoicePdf } from './stored-pdf.ts';
export { renderCreditNotePdf, getStoredCreditNotePdf } from './credit-note-pdf.ts';
export type { CreditNotePdf } from './credit-note-pdf.ts';
export { buildCreditNoteView } from './credit-note-view.ts';
export type { CreditNoteRecord } from './credit-note-view.ts';
export type { StoredPdf } from './stored-pdf.ts';
export type { DocumentDeps, InvoicePdf } from './access.ts';
export { queueRender, requeueParkedRenders, MAX_INVOICES_PER_RENDER_JOB } from './queue.ts';
export { documentTasks, processRenderJob } from './render-job.ts';
export { renderRunDocuments, runDocumentsProgress } from './render-run.ts';
export type { RunDocumentsProgress, RunDocumentsSummary } from './render-run.ts';
export { renderInvoices, contentHash } from './render-invoices.ts';
export { DocumentRenderer } from './renderer.ts';
export type { RenderedDocument, RendererOptions } from './renderer.ts';
export { DEFAULT_DOCUMENT_SETTINGS, DirStore, documentKey, openStore } from './storage.ts';
export type { DocumentSettings, DocumentStore, S3Settings } from './storage.ts';
export { buildInvoiceView } from './invoice-view.ts';
export { buildLoanStatementView } from './statement-view.ts';
export { sampleInvoiceRecord, sampleStatementRecord } from './samples.ts';
export { loadTemplateSet, DEFAULT_TEMPLATES_DIR } from './templates.ts';
export { RENDER_TASK } from './documents-sql.ts';
export type { DocumentView, DocumentKind } from './view.ts';
