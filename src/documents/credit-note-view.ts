import { formatMinor } from '../money/format.ts';
import { buildInvoiceView, type InvoiceRecord } from './invoice-view.ts';
import type { TemplateSet } from './templates.ts';
import { messagesFor } from './templates.ts';
import { fill, type DocumentView } from './view.ts';

/**
 * A credit note as its template (credit-note.typ) sees it: the invoice view of the credit
 * note's own number, date, lines and totals (amounts positive: what is credited), with
 * `creditNote` naming the original invoice and the reason, and a note saying where the credit
 * went — off the invoice's amount due, or to the customer's credit.
 */
export interface CreditNoteRecord {
  /** Number, date, lines and totals are the credit note's; period, customer and seller the invoice's. */
  document: InvoiceRecord;
  invoiceNumber: string;
  reason: string;
  receivableMinor: number;
  customerCreditMinor: number;
}

export function buildCreditNoteView(r: CreditNoteRecord, templates: TemplateSet): DocumentView {
  const view = buildInvoiceView(r.document, templates);
  const { labels } = messagesFor(templates, r.document.customer.locale);
  const money = (v: number) => formatMinor(v, r.document.currency, view.locale);
  const notes: string[] = [];
  if (r.receivableMinor > 0) notes.push(fill(labels.creditNoteDeducted, { amount: money(r.receivableMinor), invoice: r.invoiceNumber }));
  if (r.customerCreditMinor > 0) notes.push(String(labels.creditNoteNote ?? ''));
  return {
    ...view,
    kind: 'credit_note',
    title: `${String(labels.creditNote)} ${r.document.number}`,
    totals: { ...view.totals, amountDue: money(0) },
    payment: { status: r.customerCreditMinor > 0 ? 'credited' : 'deducted', note: notes.join(' ') },
    creditNote: { originalInvoice: r.invoiceNumber, reason: r.reason },
  };
}
