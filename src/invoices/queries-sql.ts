import type { Sql } from '../billing/load-sql.ts';
import { INVOICE_COLUMNS } from './invoice-queries.ts';

export const invoiceQueriesSql = {
  totalsByCurrency: (period: string, source: string): Sql => ({
    text: `select currency, count(*)::int as invoices, sum(subtotal_minor)::bigint as subtotal_minor,
             sum(discount_minor)::bigint as discount_minor, sum(tax_minor)::bigint as tax_minor,
             sum(total_minor)::bigint as total_minor
           from invoices where period = $1 and source = $2 group by currency order by currency`,
    values: [period, source],
  }),
  /** A few invoices with several lines, one per customer segment, for people to look at. */
  samples: (period: string, source: string, limit: number): Sql => ({
    text: `select distinct on (c.segment) i.id, i.number, i.currency, i.total_minor, i.tax_minor, c.name, c.segment,
             (select count(*)::int from invoice_lines l where l.invoice_id = i.id) as lines
           from invoices i join customers c on c.id = i.customer_id
           where i.period = $1 and i.source = $2 and i.customer_id in (
             select customer_id from invoices where period = $1 and source = $2 order by id limit 500)
           order by c.segment, i.id limit $3`,
    values: [period, source, limit],
  }),
  lines: (invoiceId: number): Sql => ({
    text: `select line_no, kind, description, quantity, amount_minor, discount_minor, tax_minor, total_minor, tax_breakdown
           from invoice_lines where invoice_id = $1 order by line_no`,
    values: [invoiceId],
  }),
  quarantine: (period: string, limit: number): Sql => ({
    text: `select q.customer_id, c.name, q.reasons from quarantined_invoices q join customers c on c.id = q.customer_id
           where q.period = $1 order by q.customer_id limit $2`,
    values: [period, limit],
  }),
  quarantineCounts: (period: string): Sql => ({
    text: `select r->>'code' as code, count(*)::int as n from quarantined_invoices q, jsonb_array_elements(q.reasons) r
           where q.period = $1 group by 1 order by 2 desc`,
    values: [period],
  }),
  /** Invoices by id, for the coalesced reads of invoice-loader.ts (prepared: it runs on every GET). */
  byIds: (ids: number[]): Sql & { name: string } => ({
    name: 'invoices_by_ids',
    text: `select ${INVOICE_COLUMNS} from invoices where id = any($1::bigint[])`,
    values: [ids],
  }),
};
