import type pg from 'pg';
import { invoiceQueriesSql } from './queries-sql.ts';

export interface CurrencyTotals {
  currency: string;
  invoices: number;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
}

export async function totalsByCurrency(db: pg.Pool, period: string, source = 'cycle'): Promise<CurrencyTotals[]> {
  const sql = invoiceQueriesSql.totalsByCurrency(period, source);
  return (await db.query(sql.text, sql.values)).rows.map((r) => ({
    currency: r.currency, invoices: r.invoices, subtotalMinor: r.subtotal_minor, discountMinor: r.discount_minor,
    taxMinor: r.tax_minor, totalMinor: r.total_minor,
  }));
}

export interface InvoiceSample {
  id: number;
  number: string;
  currency: string;
  totalMinor: number;
  taxMinor: number;
  customerName: string;
  segment: string | null;
  lines: { lineNo: number; kind: string; description: string; quantity: number; amountMinor: number; discountMinor: number; taxMinor: number; totalMinor: number }[];
}

export async function sampleInvoices(db: pg.Pool, period: string, limit: number, source = 'cycle'): Promise<InvoiceSample[]> {
  const sql = invoiceQueriesSql.samples(period, source, limit);
  const rows = (await db.query(sql.text, sql.values)).rows;
  const out: InvoiceSample[] = [];
  for (const r of rows) {
    const l = invoiceQueriesSql.lines(r.id);
    const lines = (await db.query(l.text, l.values)).rows.map((x) => ({
      lineNo: x.line_no, kind: x.kind, description: x.description, quantity: x.quantity, amountMinor: x.amount_minor,
      discountMinor: x.discount_minor, taxMinor: x.tax_minor, totalMinor: x.total_minor,
    }));
    out.push({ id: r.id, number: r.number, currency: r.currency, totalMinor: r.total_minor, taxMinor: r.tax_minor, customerName: r.name, segment: r.segment, lines });
  }
  return out;
}

export async function quarantineReport(db: pg.Pool, period: string, limit: number) {
  const s = invoiceQueriesSql.quarantine(period, limit);
  const c = invoiceQueriesSql.quarantineCounts(period);
  return {
    samples: (await db.query<{ customer_id: number; name: string; reasons: { code: string; message: string; field?: string }[] }>(s.text, s.values)).rows,
    counts: (await db.query<{ code: string; n: number }>(c.text, c.values)).rows,
  };
}

export async function loadFxRates(db: pg.Pool) {
  const rows = (await db.query<{ base: string; quote: string; effective_from: string; rate: string }>(
    'select base, quote, effective_from, rate::text as rate from fx_rates order by effective_from',
  )).rows;
  return rows.map((r) => ({ base: r.base, quote: r.quote, effectiveFrom: r.effective_from, rate: r.rate }));
}
