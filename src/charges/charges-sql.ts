/**
 * SQL for one-off charges and refunds. Each function returns {text, values} and runs nothing.
 */
import type { Sql } from '../customers/index.ts';

const COLUMNS = `id, customer_id, kind, product_id, product_name, quantity, unit_price_minor, currency, charged_on,
  original_payment_id, created_at`;

export interface OneOffRows {
  productIds: string[];
  productNames: string[];
  quantities: number[];
  unitPricesMinor: number[];
}

export const chargesSql = {
  byId: (id: number): Sql => ({ text: `select ${COLUMNS} from one_off_charges where id = $1`, values: [id] }),
  page: (f: { customerId: number | null; kind: string | null; after: number; limit: number }): Sql => ({
    text: `select ${COLUMNS} from one_off_charges
           where id > $1 and ($2::bigint is null or customer_id = $2) and ($3::text is null or kind = $3)
           order by id limit $4`,
    values: [f.after, f.customerId, f.kind, f.limit],
  }),
  insertCharges: (customerId: number, currency: string, chargedOn: string, rows: OneOffRows): Sql => ({
    text: `insert into one_off_charges (customer_id, kind, product_id, product_name, quantity, unit_price_minor, currency, charged_on)
           select $1::bigint, 'charge', x.product_id, x.product_name, x.quantity, x.unit_price_minor, $2::char(3), $3::date
           from unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[]) with ordinality
             as x(product_id, product_name, quantity, unit_price_minor, n)
           order by x.n
           returning ${COLUMNS}`,
    values: [customerId, currency, chargedOn, rows.productIds, rows.productNames, rows.quantities, rows.unitPricesMinor],
  }),

  /** The payment, locked so two concurrent refunds of it run one after the other. */
  lockPayment: (paymentId: number): Sql => ({
    text: 'select id, customer_id, currency, amount_minor from payments where id = $1 for update',
    values: [paymentId],
  }),

  /**
   * Refunded so far. A separate statement AFTER the lock: in READ COMMITTED each statement gets
   * a fresh snapshot, so it sees a refund committed by whoever held the lock before us (a
   * subquery in the locking statement would still use the snapshot from before the wait).
   */
  refundedMinor: (paymentId: number): Sql => ({
    text: `select coalesce(sum(-unit_price_minor * quantity), 0)::bigint as refunded_minor from one_off_charges
           where kind = 'refund' and original_payment_id = $1`,
    values: [paymentId],
  }),

  insertRefund: (r: { customerId: number; currency: string; amountMinor: number; reason: string; refundedOn: string; paymentId: number }): Sql => ({
    text: `insert into one_off_charges (customer_id, kind, product_id, product_name, quantity, unit_price_minor, currency,
             charged_on, original_payment_id)
           values ($1, 'refund', 'refund', $2, 1, $3, $4, $5, $6)
           returning ${COLUMNS}`,
    values: [r.customerId, r.reason, -r.amountMinor, r.currency, r.refundedOn, r.paymentId],
  }),
};
