export { totalsByCurrency, sampleInvoices, quarantineReport, loadFxRates } from './queries.ts';
export type { CurrencyTotals, InvoiceSample } from './queries.ts';
