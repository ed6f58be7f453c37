/**
 * SQL for usage events. Each function returns {text, values} and runs nothing.
 */
import type { Sql } from '../customers/index.ts';

export interface UsageColumns {
  customerIds: number[];
  metricCodes: string[];
  occurredAt: string[];
  values: number[];
  uniqueKeys: (string | null)[];
  transactionIds: string[];
}

export const usageSql = {
  existingCustomers: (ids: readonly number[]): Sql => ({
    text: 'select id from customers where id = any($1::bigint[])',
    values: [ids],
  }),
  existingMetrics: (codes: readonly string[]): Sql => ({
    text: 'select code from billable_metrics where code = any($1::text[])',
    values: [codes],
  }),
  /**
   * One statement for the whole batch. A replayed (customer_id, transaction_id), from an earlier
   * call or earlier in this batch, is skipped: rowCount is the number actually inserted.
   */
  insert: (c: UsageColumns): Sql => ({
    text: `insert into usage_events (customer_id, metric_code, occurred_at, value, unique_key, transaction_id)
           select * from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[], $5::text[], $6::text[])
           on conflict (customer_id, transaction_id) do nothing`,
    values: [c.customerIds, c.metricCodes, c.occurredAt, c.values, c.uniqueKeys, c.transactionIds],
  }),
};
