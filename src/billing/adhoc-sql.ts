/**
 * SQL of the batched ad-hoc invoices (adhoc-batch.ts). Each function returns {text, values} and
 * runs nothing; lists travel as arrays and are expanded with unnest.
 */
import type { Sql } from './load-sql.ts';

const INVOICE_COLUMNS = `id, number, customer_id, period, currency, subtotal_minor, discount_minor, tax_minor, total_minor,
  status, payment_status, issue_date, due_date`;

export interface OneOffRow {
  customerId: number;
  productId: string;
  productName: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  chargedOn: string;
  invoiceSource: string;
}

export const adHocSql = {
  /** Shared locks in id order: a concurrent close waits, concurrent batches do not. */
  lockCustomers: (ids: number[]): Sql => ({
    text: 'select * from customers where id = any($1::bigint[]) order by id for share',
    values: [ids],
  }),
  /** Invoices already issued for these (customer, period, source) triples. */
  existingInvoices: (customerIds: number[], periods: string[], sources: string[]): Sql => ({
    text: `select ${INVOICE_COLUMNS}, source from invoices where (customer_id, period, source) in (
             select * from unnest($1::bigint[], $2::text[], $3::text[]))`,
    values: [customerIds, periods, sources],
  }),
  insertOneOffs: (rows: OneOffRow[]): Sql => ({
    text: `insert into one_off_charges (customer_id, product_id, product_name, quantity, unit_price_minor, currency, charged_on, invoice_source)
           select * from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::date[], $8::text[])`,
    values: [
      rows.map((r) => r.customerId), rows.map((r) => r.productId), rows.map((r) => r.productName), rows.map((r) => r.quantity),
      rows.map((r) => r.unitPriceMinor), rows.map((r) => r.currency), rows.map((r) => r.chargedOn), rows.map((r) => r.invoiceSource),
    ],
  }),
  invoicesByIds: (ids: number[]): Sql => ({
    text: `select ${INVOICE_COLUMNS} from invoices where id = any($1::bigint[])`,
    values: [ids],
  }),
};
