export { totalsByCurrency, sampleInvoices, quarantineReport, loadFxRates } from './queries.ts';
export type { CurrencyTotals, InvoiceSample } from './queries.ts';
export {
  PAYMENT_STATUSES,
  getInvoice,
  getInvoiceLines,
  listInvoices,
  invoicesByPaymentStatus,
  paymentAttempts,
  requeueInvoice,
  rowToInvoice,
} from './invoice-queries.ts';
export type { Invoice, InvoiceFilters, PaymentStatus } from './invoice-queries.ts';
export { createInvoiceLoader } from './invoice-loader.ts';
export type { InvoiceLoader, InvoiceLoaderOptions } from './invoice-loader.ts';
export { issueCreditNote, getCreditNote, listCreditNotes, creditNoteBodySchema, issueCreditNoteSchema, MAX_CREDIT_LINES } from './credit-notes.ts';
export type { CreditNote, CreditNoteLine, IssueCreditNoteInput } from './credit-notes.ts';
export { CREDIT_NOTE_RENDER_TASK } from './credit-notes-sql.ts';
export { amountDueMinor } from './credit-note-plan.ts';
