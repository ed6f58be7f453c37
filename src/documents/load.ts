import type pg from 'pg';
import { documentsSql } from './documents-sql.ts';
import type { InvoiceRecord, LineRecord, TaxRecord } from './invoice-view.ts';

export interface StoredDocument {
  contentHash: string;
  storage: string;
  path: string;
  size: number;
  sha256: string;
  pages: number;
}

export interface LoadedInvoice {
  record: InvoiceRecord;
  existing: StoredDocument | null;
}

type Row = Record<string, unknown>;

export function toLine(r: Row): LineRecord {
  return {
    lineNo: r.line_no as number, kind: r.kind as string, description: r.description as string, quantity: r.quantity as number,
    unitAmountMinor: r.unit_amount_minor as number, amountMinor: r.amount_minor as number, discountMinor: r.discount_minor as number,
    taxMinor: r.tax_minor as number, totalMinor: r.total_minor as number, taxBreakdown: (r.tax_breakdown as TaxRecord[] | null) ?? null,
    serviceStart: (r.service_start as string | null) ?? null, serviceEnd: (r.service_end as string | null) ?? null,
  };
}

/** Invoices by id, as plain records for the view builder, with the document already stored. */
export async function loadInvoices(db: pg.Pool | pg.PoolClient, ids: number[]): Promise<LoadedInvoice[]> {
  if (ids.length === 0) return [];
  const inv = documentsSql.invoices(ids);
  const lin = documentsSql.lines(ids);
  const [invoices, lines] = await Promise.all([db.query(inv.text, inv.values), db.query(lin.text, lin.values)]);
  const byInvoice = new Map<number, LineRecord[]>();
  for (const r of lines.rows as Row[]) {
    const id = r.invoice_id as number;
    let list = byInvoice.get(id);
    if (!list) byInvoice.set(id, (list = []));
    list.push(toLine(r));
  }
  return (invoices.rows as Row[]).map((r) => ({
    record: {
      id: r.id as number, number: r.number as string, period: r.period as string, currency: r.currency as string,
      subtotalMinor: r.subtotal_minor as number, discountMinor: r.discount_minor as number, taxMinor: r.tax_minor as number,
      totalMinor: r.total_minor as number, taxBreakdown: (r.tax_breakdown as TaxRecord[] | null) ?? [],
      issueDate: r.issue_date as string, dueDate: r.due_date as string, periodStart: r.period_start as string, periodEnd: r.period_end as string,
      paymentStatus: r.payment_status as string,
      ...partiesOf(r),
      lines: byInvoice.get(r.id as number) ?? [],
    },
    existing: storedOf(r),
  }));
}

/** The customer and seller columns of a document query (documents-sql.ts), as the view builder wants them. */
export function partiesOf(r: Row): Pick<InvoiceRecord, 'customer' | 'seller'> {
  return {
    customer: {
      id: r.customer_id as number, externalId: (r.external_id as string | null) ?? null, name: r.name as string,
      email: (r.email as string | null) ?? null, phone: (r.phone as string | null) ?? null, country: r.country as string,
      taxRegionName: (r.customer_region as string | null) ?? null, locale: r.locale as string,
    },
    seller: { id: r.seller_id as string, name: r.seller_name as string, country: r.seller_country as string, taxRegionName: (r.seller_region as string | null) ?? null },
  };
}

/** The stored document columns of a document query, or null when none is stored. */
export function storedOf(r: Row): StoredDocument | null {
  return r.content_hash
    ? { contentHash: r.content_hash as string, storage: r.storage as string, path: r.path as string, size: r.size_bytes as number, sha256: r.sha256 as string, pages: r.pages as number }
    : null;
}
