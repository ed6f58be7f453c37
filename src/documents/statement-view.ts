import { formatMinor } from '../money/format.ts';
import { messagesFor, type TemplateSet } from './templates.ts';
import { countryName, formatCount, formatDate, formatPercent, VIEW_SCHEMA_VERSION, type DocumentView } from './view.ts';

/** One movement on a loan account: a debit (EMI due, fee) or a credit (payment received). */
export interface StatementEntry {
  date: string; // ISO
  description: string;
  reference: string;
  debitMinor: number;
  creditMinor: number;
}

/** What a loan statement (passbook) is made from; loader: statement-sql.ts, or samples.ts. */
export interface LoanStatementRecord {
  number: string; // statement number, e.g. 'LS-42-2026'
  loanId: number;
  currency: string;
  principalMinor: number;
  annualRate: string;
  tenureMonths: number;
  emiMinor: number;
  from: string; // ISO, inclusive
  to: string; // ISO, exclusive
  issueDate: string;
  /** Amount owed at `from` (debits − credits before it). */
  openingMinor: number;
  entries: StatementEntry[];
  customer: { id: number; externalId: string | null; name: string; email: string | null; phone: string | null; country: string; locale: string };
  seller: { id: string; name: string; country: string; taxRegionName: string | null };
}

/** Descriptions are clipped so every row of a statement stays one line (fixed rows per page). */
export const STATEMENT_DESCRIPTION_MAX_CHARS = 46;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A loan statement view: entries in date order with a running balance (amount owed). */
export function buildLoanStatementView(r: LoanStatementRecord, templates: TemplateSet): DocumentView {
  const { locale, labels } = messagesFor(templates, r.customer.locale);
  const money = (v: number) => formatMinor(v, r.currency, locale);
  const entries = [...r.entries].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  let balance = r.openingMinor;
  let debits = 0;
  let credits = 0;
  const rows = entries.map((e) => {
    balance += e.debitMinor - e.creditMinor;
    debits += e.debitMinor;
    credits += e.creditMinor;
    return {
      date: formatDate(e.date, locale),
      description: clip(e.description, STATEMENT_DESCRIPTION_MAX_CHARS),
      reference: clip(e.reference, 18),
      debit: e.debitMinor ? money(e.debitMinor) : '',
      credit: e.creditMinor ? money(e.creditMinor) : '',
      balance: money(balance),
    };
  });
  const lastDay = new Date(Date.parse(`${r.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const sellerCountry = countryName(r.seller.country, locale);
  return {
    schema: VIEW_SCHEMA_VERSION,
    kind: 'loan_statement',
    locale,
    lang: locale.split('-')[0]!,
    labels,
    title: `${String(labels.loanStatement)} ${r.number}`,
    number: r.number,
    currency: r.currency,
    taxInvoice: false,
    issueDate: formatDate(r.issueDate, locale),
    dueDate: '',
    servicePeriod: `${formatDate(r.from, locale)} – ${formatDate(lastDay, locale)}`,
    seller: { id: r.seller.id, name: r.seller.name, lines: r.seller.taxRegionName && r.seller.taxRegionName !== sellerCountry ? [r.seller.taxRegionName, sellerCountry] : [sellerCountry] },
    buyer: {
      id: r.customer.externalId ?? String(r.customer.id),
      name: r.customer.name,
      lines: [r.customer.email, r.customer.phone, countryName(r.customer.country, locale)].filter((x): x is string => !!x),
    },
    lines: [],
    taxes: [],
    totals: { subtotal: '', discount: '', hasDiscount: false, tax: '', total: money(balance), amountDue: money(Math.max(0, balance)) },
    payment: { status: 'statement', note: String(labels.statementNote ?? '') },
    creditNote: null,
    statement: {
      account: String(r.loanId),
      period: `${formatDate(r.from, locale)} – ${formatDate(lastDay, locale)}`,
      principal: money(r.principalMinor),
      interestRate: formatPercent(r.annualRate, locale),
      tenure: `${formatCount(r.tenureMonths, locale)} ${String(labels.months ?? '')}`,
      emi: money(r.emiMinor),
      openingBalance: money(r.openingMinor),
      closingBalance: money(balance),
      totalDebits: money(debits),
      totalCredits: money(credits),
      entries: rows,
    },
    raw: {
      invoiceId: null, customerId: r.customer.id, period: r.from.slice(0, 7), issueDate: r.issueDate, dueDate: r.issueDate,
      totalMinor: balance, taxMinor: 0, currency: r.currency,
    },
  };
}
