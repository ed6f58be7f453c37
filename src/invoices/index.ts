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
