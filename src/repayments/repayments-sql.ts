/** SQL of repayments (ingest.ts, refund.ts). */
export interface Sql {
  text: string;
  values: unknown[];
}

export const repaymentsSql = {
  /** Serialises the repayments of one customer (duplicate checks see each other); billing takes no such lock. */
  lockCustomer: (customerId: number): Sql => ({
    text: `select pg_advisory_xact_lock(hashtextextended('billflow:repayments:' || $1::text, 0))`,
    values: [customerId],
  }),
  nearby: (customerId: number, externalRef: string | null, amountMinor: number, channel: string, receivedAt: string, windowMs: number): Sql => ({
    text: `select id, amount_minor, currency, channel, external_ref, received_at from repayments
           where customer_id = $1 and status = 'accepted'
             and ((external_ref = $2) or (amount_minor = $3 and channel = $4
                  and received_at between $5::timestamptz - make_interval(secs => $6 / 1000.0) and $5::timestamptz + make_interval(secs => $6 / 1000.0)))`,
    values: [customerId, externalRef, amountMinor, channel, receivedAt, windowMs],
  }),
  insert: (r: { customerId: number; currency: string; amountMinor: number; channel: string; externalRef: string | null; receivedAt: string; status: string;
    duplicateOf: number | null; appliedMinor: number; excessMinor: number; loanId: number | null; source: string }): Sql => ({
    text: `insert into repayments (customer_id, currency, amount_minor, channel, external_ref, received_at, status, duplicate_of, applied_minor, excess_minor, loan_id, source)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    values: [r.customerId, r.currency, r.amountMinor, r.channel, r.externalRef, r.receivedAt, r.status, r.duplicateOf, r.appliedMinor, r.excessMinor, r.loanId, r.source],
  }),
  payInvoices: (invoiceIds: number[], repaymentId: number): Sql => ({
    text: `with paid as (update invoices set payment_status = 'paid' where id = any($1::bigint[])
                         returning id, customer_id, currency, total_minor - credited_minor - credit_applied_minor as due_minor)
           insert into payments (kind, invoice_id, customer_id, currency, amount_minor, provider)
           select 'repayment', id, customer_id, currency, due_minor, 'repayment:' || $2::bigint from paid`,
    values: [invoiceIds, repaymentId],
  }),
  /**
   * The charge a refund of `amountMinor` goes back to: the customer's latest payment collected
   * through this provider in the currency with at least that much not yet refunded (refunds
   * posted or under way count; failed and compensated ones do not). None: null.
   */
  refundableCharge: (customerId: number, currency: string, provider: string, amountMinor: number): Sql => ({
    text: `select a.provider_ref as charge_ref from payments p join payment_attempts a on a.id = p.attempt_id
           where p.customer_id = $1 and p.currency = $2 and p.kind = 'charge' and p.provider = $3 and a.provider_ref is not null
             and p.amount_minor - coalesce((select sum(r.amount_minor) from refund_intents r
                                            where r.charge_ref = a.provider_ref and r.status in ('intent', 'refunded', 'posted')), 0) >= $4
           order by p.received_at desc, p.id desc limit 1`,
    values: [customerId, currency, provider, amountMinor],
  }),
  outbox: (topic: string, aggregateId: number, payload: unknown): Sql => ({
    text: `insert into outbox_events (topic, aggregate_id, payload) values ($1, $2, $3)`,
    values: [topic, aggregateId, JSON.stringify(payload)],
  }),
};
