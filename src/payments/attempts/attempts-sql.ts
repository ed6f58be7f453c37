/** SQL of payment attempts (the audit trail), dunning schedules and the invoice payment state. */
export interface Sql {
  text: string;
  values: unknown[];
}

export interface ClaimFilter {
  invoiceIds: number[] | null;
  runId: number | null;
}

export const attemptsSql = {
  /** Invoices with nothing to collect (a zero total, or credited in full) need no payment. */
  markNotRequired: (f: ClaimFilter): Sql => ({
    text: `update invoices set payment_status = 'not_required'
           where payment_status = 'pending' and status = 'issued' and total_minor - credited_minor - credit_applied_minor <= 0
             and ($1::bigint[] is null or id = any($1)) and ($2::bigint is null or run_id = $2)`,
    values: [f.invoiceIds, f.runId],
  }),
  /**
   * Claims up to `limit` due invoices and writes their attempt rows ('started') before any
   * provider call. Row locks (skip locked) keep two collectors apart; the in-flight unique index
   * is the backstop. The attempt key is the invoice and attempt number: a retried claim of the
   * same attempt can never mint a second key. The amount is what is due: the total less credit
   * notes (credited_minor) and customer credit applied (credit_applied_minor); neither changes
   * while an attempt is in flight (a credit note waits, credit application skips the invoice).
   * Only customers charged automatically: a send_invoice customer pays by transfer (repayments),
   * read at claim time so a revoked mandate stops the charges of their open invoices too.
   * Always one row at least: `candidates` is how many due invoices the claim locked; with no
   * attempt written (id null) and candidates > 0 the claim lost every row to another collector.
   */
  claim: (f: ClaimFilter, provider: string, trigger: string, limit: number, now: Date, afterId: number): Sql => ({
    text: `with due as (
             select i.id, i.currency, i.total_minor - i.credited_minor - i.credit_applied_minor as due_minor from invoices i
             join customers cm on cm.id = i.customer_id and cm.collection_method = 'charge_automatically'
             left join payment_schedules s on s.invoice_id = i.id
             where i.payment_status = 'pending' and i.status = 'issued' and i.total_minor - i.credited_minor - i.credit_applied_minor > 0 and i.id > $6
               and ($1::bigint[] is null or i.id = any($1)) and ($2::bigint is null or i.run_id = $2)
               and (s.next_attempt_at is null or s.next_attempt_at <= $5)
               and not exists (select 1 from payment_attempts a where a.invoice_id = i.id and a.status in ('started', 'unknown'))
             order by i.id limit $4 for update of i skip locked),
           numbered as (
             select d.*, coalesce((select max(attempt_no) from payment_attempts a where a.invoice_id = d.id), 0) + 1 as attempt_no from due d),
           ins as (
             insert into payment_attempts (invoice_id, attempt_no, idempotency_key, provider, amount_minor, currency, trigger, started_at)
             select n.id, n.attempt_no, 'bf_inv_' || n.id || '_' || n.attempt_no, $3, n.due_minor, n.currency,
               case when exists (select 1 from invoice_requeues q where q.invoice_id = n.id and q.consumed_at is null) then 'requeue'
                    when n.attempt_no > 1 then 'dunning' else $7 end, $5
             from numbered n
             on conflict do nothing
             returning id, invoice_id, attempt_no, idempotency_key, amount_minor, currency),
           consumed as (
             update invoice_requeues set consumed_at = $5 where consumed_at is null and invoice_id in (select invoice_id from ins)),
           claimed as (
             select ins.*, c.id as customer_id, c.external_id, c.metadata from ins
             join invoices i on i.id = ins.invoice_id join customers c on c.id = i.customer_id)
           select (select count(*) from due)::int as candidates, claimed.* from (select 1) as one
           left join claimed on true
           order by claimed.invoice_id`,
    values: [f.invoiceIds, f.runId, provider, limit, now, afterId, trigger],
  }),
  /** Completes attempts (one row per outcome; arrays in the same order). */
  finishAttempts: (ids: number[], statuses: string[], codes: (string | null)[], messages: (string | null)[], refs: (string | null)[], nextChecks: (Date | null)[], now: Date, resolvedBy: string, fromStatus: 'started' | 'unknown'): Sql => ({
    text: `update payment_attempts a set status = u.status, failure_code = u.code, failure_message = u.message,
             provider_ref = coalesce(u.ref, a.provider_ref), next_check_at = u.next_check,
             finished_at = case when u.status = 'unknown' then a.finished_at else $7 end,
             resolved_by = case when u.status = 'unknown' then null else $8 end
           from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) as u(id, status, code, message, ref, next_check)
           where a.id = u.id and a.status = $9
           returning a.id`,
    values: [ids, statuses, codes, messages, refs, nextChecks, now, resolvedBy, fromStatus],
  }),
  /** A payment is what its attempt charged (the amount due when it was claimed). */
  insertPayments: (invoiceIds: number[], attemptIds: number[], refs: string[], provider: string, now: Date): Sql => ({
    text: `insert into payments (kind, invoice_id, attempt_id, customer_id, currency, amount_minor, external_ref, provider, received_at)
           select 'charge', i.id, u.attempt_id, i.customer_id, i.currency, a.amount_minor, $4 || ':' || u.ref, $4, $5
           from unnest($1::bigint[], $2::bigint[], $3::text[]) as u(invoice_id, attempt_id, ref) join invoices i on i.id = u.invoice_id
           join payment_attempts a on a.id = u.attempt_id
           returning id, invoice_id, customer_id, currency, amount_minor`,
    values: [invoiceIds, attemptIds, refs, provider, now],
  }),
  setPaymentStatus: (invoiceIds: number[], status: string): Sql => ({
    text: `update invoices set payment_status = $2 where id = any($1::bigint[])`,
    values: [invoiceIds, status],
  }),
  schedule: (invoiceIds: number[], at: Date[], failures: string[]): Sql => ({
    text: `insert into payment_schedules (invoice_id, next_attempt_at, last_failure)
           select * from unnest($1::bigint[], $2::timestamptz[], $3::text[])
           on conflict (invoice_id) do update set next_attempt_at = excluded.next_attempt_at, last_failure = excluded.last_failure`,
    values: [invoiceIds, at, failures],
  }),
  outbox: (topic: string, invoiceIds: number[], payloads: string[]): Sql => ({
    text: `insert into outbox_events (topic, aggregate_id, payload) select $1, * from unnest($2::bigint[], $3::json[])`,
    values: [topic, invoiceIds, payloads],
  }),
  /** Attempts left 'started' by a process that died: no call can still be in flight after the call timeout. */
  orphanedStarted: (olderThan: Date, limit: number): Sql => ({
    text: `select id from payment_attempts where status = 'started' and started_at < $1 order by started_at limit $2`,
    values: [olderThan, limit],
  }),
  /** Unknown outcomes due for a question to the provider. */
  dueUnknown: (now: Date, limit: number): Sql => ({
    text: `select a.id, a.invoice_id, a.attempt_no, a.idempotency_key, a.started_at, a.checks from payment_attempts a
           where a.status = 'unknown' and a.next_check_at <= $1 order by a.next_check_at limit $2 for update skip locked`,
    values: [now, limit],
  }),
  bumpCheck: (ids: number[], nextChecks: Date[]): Sql => ({
    text: `update payment_attempts a set checks = a.checks + 1, next_check_at = u.next_check
           from unnest($1::bigint[], $2::timestamptz[]) as u(id, next_check) where a.id = u.id`,
    values: [ids, nextChecks],
  }),
};
