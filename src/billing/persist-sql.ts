import type { Sql } from './load-sql.ts';

export const invoiceColumns = [
  'id', 'customer_id', 'period', 'source', 'run_id', 'legal_entity_id', 'number', 'currency',
  'subtotal_minor', 'discount_minor', 'tax_minor', 'total_minor', 'tax_breakdown',
  'issue_date', 'due_date', 'period_start', 'period_end',
] as const;

export const lineColumns = [
  'invoice_id', 'line_no', 'kind', 'description', 'product_id', 'quantity', 'unit_amount_minor',
  'amount_minor', 'discount_minor', 'tax_minor', 'total_minor', 'tax_breakdown', 'service_start', 'service_end',
  'loan_id', 'installment_seq',
] as const;

export const outboxColumns = ['topic', 'aggregate_id', 'payload'] as const;

export const persistSql = {
  /** `count` fresh invoice ids (one round trip; ~3 ms for 5,000). */
  reserveInvoiceIds: (count: number): Sql => ({
    text: "select nextval('invoice_id_seq') as id from generate_series(1, $1)",
    values: [count],
  }),
  /**
   * Takes `count` numbers from a series atomically. The row lock is held to commit, so numbers are
   * gapless: a rolled-back transaction gives its numbers back. Callers take series in sorted order
   * (no deadlocks) and as late as possible in the transaction (short lock).
   */
  takeNumbers: (series: string, legalEntityId: string, year: number, count: number): Sql => ({
    text: `insert into invoice_series (series, legal_entity_id, year, next_number) values ($1, $2, $3, $4 + 1)
           on conflict (series) do update set next_number = invoice_series.next_number + $4
           returning next_number - $4 as first`,
    values: [series, legalEntityId, year, count],
  }),
  clearQuarantine: (from: number, to: number, period: string, source: string): Sql => ({
    text: 'delete from quarantined_invoices where customer_id between $1 and $2 and period = $3 and source = $4',
    values: [from, to, period, source],
  }),
};

export const quarantineColumns = ['customer_id', 'period', 'source', 'run_id', 'reasons', 'draft'] as const;
