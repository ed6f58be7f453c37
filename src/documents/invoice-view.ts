import { formatMinor } from '../money/format.ts';
import type { TemplateSet } from './templates.ts';
import { messagesFor } from './templates.ts';
import { countryName, dayBefore, fill, formatCount, formatDate, formatPercent, VIEW_SCHEMA_VERSION, type DocumentView, type LineView } from './view.ts';

/** What the loader reads for one invoice (documents-sql.ts), in plain data. */
export interface InvoiceRecord {
  id: number;
  number: string;
  period: string;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxRecord[];
  issueDate: string;
  dueDate: string;
  periodStart: string;
  periodEnd: string; // exclusive
  paymentStatus: string;
  customer: {
    id: number;
    externalId: string | null;
    name: string;
    email: string | null;
    phone: string | null;
    country: string;
    taxRegionName: string | null;
    locale: string;
  };
  seller: { id: string; name: string; country: string; taxRegionName: string | null };
  lines: LineRecord[];
}

export interface TaxRecord {
  name: string;
  ratePercent: string;
  amountMinor: number;
}

export interface LineRecord {
  lineNo: number;
  kind: string;
  description: string;
  quantity: number;
  unitAmountMinor: number;
  amountMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxRecord[] | null;
  serviceStart: string | null;
  serviceEnd: string | null; // exclusive
}

/** Rates of a line's taxes added up ('9' + '9' → '18'), as a decimal string, exactly. */
export function combinedRate(taxes: TaxRecord[]): string {
  let scale = 0;
  for (const t of taxes) scale = Math.max(scale, (t.ratePercent.split('.')[1] ?? '').length);
  let sum = 0n;
  for (const t of taxes) {
    const [whole = '0', frac = ''] = t.ratePercent.split('.');
    sum += BigInt(whole + frac.padEnd(scale, '0'));
  }
  const digits = sum.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function period(start: string | null, end: string | null, locale: string): string | null {
  if (!start || !end) return null;
  const last = dayBefore(end);
  return last <= start ? formatDate(start, locale) : `${formatDate(start, locale)} – ${formatDate(last, locale)}`;
}

function lineView(l: LineRecord, currency: string, locale: string, units: Record<string, string>): LineView {
  const money = (v: number) => formatMinor(v, currency, locale);
  return {
    no: String(l.lineNo),
    description: l.description,
    period: period(l.serviceStart, l.serviceEnd, locale),
    quantity: formatCount(l.quantity, locale),
    unit: units[l.kind] ?? '',
    unitPrice: money(l.unitAmountMinor),
    taxRate: l.taxBreakdown && l.taxBreakdown.length > 0 ? formatPercent(combinedRate(l.taxBreakdown), locale) : '—',
    net: money(l.amountMinor),
    discount: money(l.discountMinor),
    tax: money(l.taxMinor),
    total: money(l.totalMinor),
  };
}

/**
 * An issued invoice as its template sees it. A negative total is a credit note (rendered with
 * credit-note.typ); everything else is an invoice.
 */
export function buildInvoiceView(r: InvoiceRecord, templates: TemplateSet): DocumentView {
  const { locale, labels } = messagesFor(templates, r.customer.locale);
  const kind = r.totalMinor < 0 ? 'credit_note' : 'invoice';
  const money = (v: number) => formatMinor(v, r.currency, locale);
  const units = (labels.units ?? {}) as Record<string, string>;
  const due = formatDate(r.dueDate, locale);
  const sellerCountry = countryName(r.seller.country, locale);
  const taxInvoice = r.seller.country === 'IN' && r.taxBreakdown.length > 0;
  const title = String(kind === 'credit_note' ? labels.creditNote : taxInvoice ? labels.taxInvoice : labels.invoice);
  let note: string;
  if (kind === 'credit_note') note = String(labels.creditNoteNote ?? '');
  else if (r.paymentStatus === 'paid') note = String(labels.paymentPaid ?? '');
  else if (r.totalMinor === 0 || r.paymentStatus === 'not_required') note = String(labels.paymentNone ?? '');
  else note = fill(labels.paymentDue, { amount: money(r.totalMinor), date: due, number: r.number });
  return {
    schema: VIEW_SCHEMA_VERSION,
    kind,
    locale,
    lang: locale.split('-')[0]!,
    labels,
    title: `${title} ${r.number}`,
    number: r.number,
    currency: r.currency,
    taxInvoice,
    issueDate: formatDate(r.issueDate, locale),
    dueDate: due,
    servicePeriod: period(r.periodStart, r.periodEnd, locale) ?? '',
    seller: {
      id: r.seller.id,
      name: r.seller.name,
      lines: r.seller.taxRegionName && r.seller.taxRegionName !== sellerCountry ? [r.seller.taxRegionName, sellerCountry] : [sellerCountry],
    },
    buyer: {
      id: r.customer.externalId ?? String(r.customer.id),
      name: r.customer.name,
      lines: [...new Set([r.customer.email, r.customer.phone, r.customer.taxRegionName, countryName(r.customer.country, locale)].filter((x): x is string => !!x))],
    },
    lines: r.lines.map((l) => lineView(l, r.currency, locale, units)),
    taxes: r.taxBreakdown.map((t) => ({ name: t.name, rate: formatPercent(t.ratePercent, locale), amount: money(t.amountMinor) })),
    totals: {
      subtotal: money(r.subtotalMinor),
      discount: money(-r.discountMinor),
      hasDiscount: r.discountMinor !== 0,
      tax: money(r.taxMinor),
      total: money(r.totalMinor),
      amountDue: money(Math.max(0, r.totalMinor)),
    },
    payment: { status: r.paymentStatus, note },
    creditNote: kind === 'credit_note' ? { originalInvoice: null, reason: null } : null,
    statement: null,
    raw: {
      invoiceId: r.id, customerId: r.customer.id, period: r.period, issueDate: r.issueDate, dueDate: r.dueDate,
      totalMinor: r.totalMinor, taxMinor: r.taxMinor, currency: r.currency,
    },
  };
}
