/**
 * The JSON view a template receives (documented field by field in docs/documents.md). Values a
 * person reads are strings already formatted for the customer's locale — amounts through
 * formatMinor (exact, never a float), dates and quantities through Intl — so a template only
 * lays them out. `raw` keeps the machine values for templates that need logic.
 */
export type DocumentKind = 'invoice' | 'credit_note' | 'loan_statement';

export const VIEW_SCHEMA_VERSION = 1;

export interface PartyView {
  id: string;
  name: string;
  /** Address-like lines: email, phone, tax region, country — whatever is known. */
  lines: string[];
}

export interface LineView {
  no: string;
  description: string;
  /** Service period of the line, or null. */
  period: string | null;
  quantity: string;
  unit: string;
  unitPrice: string;
  /** Combined tax rate of the line ('18%'), or '—' when untaxed. */
  taxRate: string;
  net: string;
  discount: string;
  tax: string;
  total: string;
}

export interface TaxView {
  name: string;
  rate: string;
  amount: string;
}

export interface StatementEntryView {
  date: string;
  description: string;
  reference: string;
  debit: string;
  credit: string;
  balance: string;
}

export interface StatementView {
  account: string;
  period: string;
  principal: string;
  interestRate: string;
  tenure: string;
  emi: string;
  openingBalance: string;
  closingBalance: string;
  totalDebits: string;
  totalCredits: string;
  entries: StatementEntryView[];
}

export interface DocumentView {
  schema: number;
  kind: DocumentKind;
  /** The locale the labels and formats are in (the customer's, or its language, or 'en'). */
  locale: string;
  /** Typst `text(lang:)`: the language part of the locale. */
  lang: string;
  /** Messages from templates/messages/<locale>.json (English for missing keys). */
  labels: Record<string, unknown>;
  title: string;
  number: string;
  currency: string;
  taxInvoice: boolean;
  issueDate: string;
  dueDate: string;
  servicePeriod: string;
  seller: PartyView;
  buyer: PartyView;
  lines: LineView[];
  taxes: TaxView[];
  totals: { subtotal: string; discount: string; hasDiscount: boolean; tax: string; total: string; amountDue: string };
  payment: { status: string; note: string };
  creditNote: { originalInvoice: string | null; reason: string | null } | null;
  statement: StatementView | null;
  /**
   * Set by the renderer, not by a view builder: absent on the first layout; the page count when a
   * multi-page invoice is laid out again for its "Page i of n" footer (templates/lib.typ).
   */
  pages?: number;
  raw: {
    invoiceId: number | null;
    customerId: number;
    period: string;
    issueDate: string;
    dueDate: string;
    totalMinor: number;
    taxMinor: number;
    currency: string;
  };
}

const DATE_CACHE_LIMIT = 200;
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const FORMATTED_DATE_LIMIT = 10_000;
const formattedDates = new Map<string, string>();
const daysBefore = new Map<string, string>();
const numberFormats = new Map<string, Intl.NumberFormat>();
const regionNames = new Map<string, Intl.DisplayNames>();

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= DATE_CACHE_LIMIT) map.clear();
    map.set(key, (value = make()));
  }
  return value;
}

function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** '2026-12-01' → '1 Dec 2026' (en), '1 déc. 2026' (fr), '01.12.2026' (de)… in UTC. */
export function formatDate(iso: string, locale: string): string {
  // A billing run's invoices share a handful of dates: the formatted strings are kept too.
  const key = `${locale}|${iso}`;
  let out = formattedDates.get(key);
  if (out === undefined) {
    const f = cached(dateFormats, locale, () => new Intl.DateTimeFormat(safeLocale(locale), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }));
    if (formattedDates.size >= FORMATTED_DATE_LIMIT) formattedDates.clear();
    formattedDates.set(key, (out = f.format(new Date(`${iso}T00:00:00Z`))));
  }
  return out;
}

/** A whole number with the locale's grouping: 12345 → '12,345' (en), '12 345' (fr), '12.345' (de). */
export function formatCount(n: number, locale: string): string {
  return cached(numberFormats, locale, () => new Intl.NumberFormat(safeLocale(locale), { maximumFractionDigits: 0 })).format(n);
}

/** A percent given as a decimal string ('9', '7.25') → '9%' / '7,25 %' per locale. */
export function formatPercent(ratePercent: string, locale: string): string {
  const f = cached(numberFormats, `${locale}|%`, () => new Intl.NumberFormat(safeLocale(locale), { style: 'percent', maximumFractionDigits: 3 }));
  // Display only: the rate was applied exactly elsewhere; here it is just printed.
  return f.format(Number(ratePercent) / 100);
}

/** 'IN' → 'India' / 'Inde' / 'भारत' in the locale's language. */
export function countryName(code: string, locale: string): string {
  try {
    return cached(regionNames, locale, () => new Intl.DisplayNames([safeLocale(locale)], { type: 'region' })).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The day before an ISO date (periods are stored end-exclusive, shown end-inclusive). */
export function dayBefore(iso: string): string {
  let out = daysBefore.get(iso);
  if (out === undefined) {
    if (daysBefore.size >= FORMATTED_DATE_LIMIT) daysBefore.clear();
    daysBefore.set(iso, (out = new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)));
  }
  return out;
}

/** '{amount} by {date}' with values filled in; unknown placeholders stay as they are. */
export function fill(template: unknown, values: Record<string, string>): string {
  return String(template ?? '').replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
