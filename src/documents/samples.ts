import type { InvoiceRecord, LineRecord } from './invoice-view.ts';
import type { LoanStatementRecord, StatementEntry } from './statement-view.ts';

/**
 * Deterministic sample invoices (no database): for `billflow pdf --sample`, the tests and the
 * bench. Same inputs, same invoice, so a PDF made from one can be compared across runs.
 */
const GIVEN = ['Asha', 'Lukas', 'Camille', 'Lucía', 'Oliver', 'Haruto', 'Priya', 'Sofia', 'Mateo', 'Zoë', 'Rohan', 'Émilie', 'Jürgen'];
const FAMILY = ['Verma', 'Becker', 'Martin', 'García', 'Smith', 'Sato', 'Nair', 'Rossi', 'Dubois', 'Müller', 'Iyer'];
const PROFILES: Record<string, { currency: string; seller: InvoiceRecord['seller']; country: string; region: string; taxes: (net: number) => { name: string; ratePercent: string; amountMinor: number }[] }> = {
  en: { currency: 'GBP', seller: { id: 'uk', name: 'Billflow UK Ltd', country: 'GB', taxRegionName: null }, country: 'GB', region: 'United Kingdom', taxes: (n) => [{ name: 'VAT', ratePercent: '20', amountMinor: Math.round(n * 0.2) }] },
  fr: { currency: 'EUR', seller: { id: 'eu', name: 'Billflow Europe GmbH', country: 'DE', taxRegionName: null }, country: 'FR', region: 'France', taxes: (n) => [{ name: 'TVA', ratePercent: '20', amountMinor: Math.round(n * 0.2) }] },
  de: { currency: 'EUR', seller: { id: 'eu', name: 'Billflow Europe GmbH', country: 'DE', taxRegionName: null }, country: 'DE', region: 'Deutschland', taxes: (n) => [{ name: 'USt.', ratePercent: '19', amountMinor: Math.round(n * 0.19) }] },
  es: { currency: 'EUR', seller: { id: 'eu', name: 'Billflow Europe GmbH', country: 'DE', taxRegionName: null }, country: 'ES', region: 'España', taxes: (n) => [{ name: 'IVA', ratePercent: '21', amountMinor: Math.round(n * 0.21) }] },
  hi: { currency: 'INR', seller: { id: 'in', name: 'Billflow India Pvt Ltd', country: 'IN', taxRegionName: 'Maharashtra' }, country: 'IN', region: 'Maharashtra', taxes: (n) => [{ name: 'CGST', ratePercent: '9', amountMinor: Math.round(n * 0.09) }, { name: 'SGST', ratePercent: '9', amountMinor: Math.round(n * 0.09) }] },
  ja: { currency: 'JPY', seller: { id: 'jp', name: 'Billflow Japan K.K.', country: 'JP', taxRegionName: null }, country: 'JP', region: '東京都', taxes: (n) => [{ name: '消費税', ratePercent: '10', amountMinor: Math.round(n * 0.1) }] },
};

const ITEMS: [kind: string, description: string, qty: number, unit: number][] = [
  ['subscription', 'Business plan — platform fee', 1, 4900],
  ['usage', 'Business plan — API calls', 128_450, 2],
  ['usage', 'Business plan — storage (GB-month)', 312, 15],
  ['one_off', 'Onboarding workshop', 1, 25000],
  ['emi_principal', 'Home loan — EMI 7/240 principal', 1, 812_345],
  ['emi_interest', 'Home loan — EMI 7/240 interest', 1, 254_655],
  ['late_fee', 'Late fee — EMI 6/240', 1, 50000],
  ['one_off', 'Replacement smart meter', 2, 3499],
];

/** Invoice `n` for a locale ('en', 'fr', 'de', 'es', 'hi', 'ja'), with `lineCount` lines (cycling through 8 items). */
export function sampleInvoiceRecord(n: number, locale = 'en', lineCount = 6): InvoiceRecord {
  const p = PROFILES[locale.split('-')[0]!] ?? PROFILES.en!;
  const lines: LineRecord[] = [];
  for (let k = 0; k < lineCount; k++) {
    const [kind, description, qty, unit] = ITEMS[(n + k) % ITEMS.length]!;
    const amount = qty * unit;
    const taxes = kind.startsWith('emi') ? null : p.taxes(amount);
    const tax = taxes ? taxes.reduce((s, t) => s + t.amountMinor, 0) : 0;
    lines.push({
      lineNo: k + 1, kind, description, quantity: qty, unitAmountMinor: unit, amountMinor: amount, discountMinor: 0,
      taxMinor: tax, totalMinor: amount + tax, taxBreakdown: taxes, serviceStart: '2026-11-01', serviceEnd: '2026-12-01',
    });
  }
  const subtotal = lines.reduce((s, l) => s + l.amountMinor, 0);
  const byName = new Map<string, { name: string; ratePercent: string; amountMinor: number }>();
  for (const l of lines) for (const t of l.taxBreakdown ?? []) {
    const prev = byName.get(t.name);
    byName.set(t.name, { ...t, amountMinor: (prev?.amountMinor ?? 0) + t.amountMinor });
  }
  const tax = lines.reduce((s, l) => s + l.taxMinor, 0);
  const id = 1_000_000 + n;
  return {
    id, number: `${p.seller.id.toUpperCase()}-2026-${String(n + 1).padStart(6, '0')}`, period: '2026-11', currency: p.currency,
    subtotalMinor: subtotal, discountMinor: 0, taxMinor: tax, totalMinor: subtotal + tax, taxBreakdown: [...byName.values()],
    issueDate: '2026-12-01', dueDate: '2026-12-16', periodStart: '2026-11-01', periodEnd: '2026-12-01', paymentStatus: 'pending',
    customer: {
      id: 5000 + n, externalId: `CUST-${5000 + n}`, name: `${GIVEN[n % GIVEN.length]} ${FAMILY[(n * 7) % FAMILY.length]}`, email: `customer${5000 + n}@example.com`,
      phone: '+91 98200 12345', country: p.country, taxRegionName: p.region, locale,
    },
    seller: p.seller,
    lines,
  };
}

/**
 * A loan statement with `entries` movements over a year (EMIs on the 5th, payments and small
 * charges in between): about 30 rows on page 1 and 46 on each further page.
 */
export function sampleStatementRecord(n: number, entries: number, locale = 'en'): LoanStatementRecord {
  const invoice = sampleInvoiceRecord(n, locale, 1);
  const emi = 1_067_000;
  const rows: StatementEntry[] = [];
  for (let k = 0; k < entries; k++) {
    const day = Math.floor((k * 365) / Math.max(1, entries));
    const date = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    if (k % 3 === 0) rows.push({ date, description: `EMI ${(k / 3 + 1) | 0}/240 due`, reference: `EMI-${n}-${k}`, debitMinor: emi, creditMinor: 0 });
    else if (k % 3 === 1) rows.push({ date, description: 'Repayment received — NACH mandate', reference: `UTR${100_000 + k}`, debitMinor: 0, creditMinor: emi });
    else rows.push({ date, description: 'Account service charge', reference: `CHG-${k}`, debitMinor: 1_500 + (k % 7) * 100, creditMinor: 0 });
  }
  return {
    number: `LS-${70_000 + n}-2026`, loanId: 70_000 + n, currency: invoice.currency, principalMinor: 250_000_000, annualRate: '8.5',
    tenureMonths: 240, emiMinor: emi, from: '2026-01-01', to: '2027-01-01', issueDate: '2027-01-02', openingMinor: 0, entries: rows,
    customer: { ...invoice.customer }, seller: invoice.seller,
  };
}
