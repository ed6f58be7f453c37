import type { Sql } from '../../billing/load-sql.ts';
import type { Channel } from '../settings.ts';

export const DISPATCH_TASK = 'delivery_dispatch';
export const SEND_TASK = 'delivery_send';

/** SQL of delivery. Each function returns {text, values} and runs nothing. */
export const deliverySql = {
  /** The contacts and channel preferences of these invoices' customers. */
  recipients: (invoiceIds: number[]): Sql => ({
    text: `select i.id as invoice_id, c.id as customer_id, c.email, c.phone, c.whatsapp, c.locale, p.channels
           from invoices i join customers c on c.id = i.customer_id
           left join delivery_preferences p on p.customer_id = c.id
           where i.id = any($1::bigint[]) and i.status = 'issued'`,
    values: [invoiceIds],
  }),
  /** The contacts and channel preferences of these credit notes' customers, with the invoice each credits. */
  creditNoteRecipients: (creditNoteIds: number[]): Sql => ({
    text: `select cn.id as credit_note_id, cn.invoice_id, c.id as customer_id, c.email, c.phone, c.whatsapp, c.locale, p.channels
           from credit_notes cn join customers c on c.id = cn.customer_id
           left join delivery_preferences p on p.customer_id = c.id
           where cn.id = any($1::bigint[])`,
    values: [creditNoteIds],
  }),
  /**
   * New deliveries; an existing one is left alone (the idempotency key): one per invoice × channel
   * (credit_note_id null) and one per credit note × channel — two partial unique indexes
   * (migration 0011), hence `on conflict do nothing` without a target.
   */
  insert: (rows: { invoiceId: number; creditNoteId: number | null; channel: Channel; customerId: number; recipient: string; locale: string; messageId: string; maxAttempts: number }[]): Sql => ({
    text: `insert into deliveries (invoice_id, credit_note_id, channel, customer_id, recipient, locale, message_id, max_attempts)
           select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::int[])
           on conflict do nothing
           returning id, channel`,
    values: [
      rows.map((r) => r.invoiceId), rows.map((r) => r.creditNoteId), rows.map((r) => r.channel), rows.map((r) => r.customerId),
      rows.map((r) => r.recipient), rows.map((r) => r.locale), rows.map((r) => r.messageId), rows.map((r) => r.maxAttempts),
    ],
  }),
  /** A send job for these deliveries, at runAt (null = now), in the caller's transaction. */
  queueSend: (ids: number[], runAt: Date | null): Sql => ({
    text: `select graphile_worker.add_job('${SEND_TASK}', json_build_object('ids', $1::bigint[]), run_at := $2::timestamptz, max_attempts := 25) is not null as queued`,
    values: [ids, runAt],
  }),
  /** The dispatcher again, soon: events wait behind a running transaction, or more are ready. */
  queueDispatch: (delayMs: number): Sql => ({
    text: `select graphile_worker.add_job('${DISPATCH_TASK}', '{}'::json, queue_name := 'billflow_delivery_dispatch',
             run_at := now() + make_interval(secs => $1::double precision / 1000), job_key := 'billflow_delivery_dispatch',
             job_key_mode := 'preserve_run_at', max_attempts := 25) is not null as queued`,
    values: [delayMs],
  }),
  /**
   * Removes waiting wake-ups of the dispatcher (not running ones): the dispatch starting now reads
   * every event their transactions wrote, since they committed before it reads.
   */
  absorbWakeups: (): Sql => ({
    text: `select count(*)::int as absorbed from graphile_worker.complete_jobs(array(select id from graphile_worker.jobs
             where task_identifier = '${DISPATCH_TASK}' and locked_at is null))`,
    values: [],
  }),
  /**
   * Claims deliveries for sending: each is marked 'sending' (attempts + 1) by this job BEFORE any
   * message leaves. Also returns, as uncertain, those this same job marked 'sending' on an
   * earlier attempt that never recorded an outcome (that attempt died), and any left 'sending'
   * longer than staleMs by a job that is gone.
   */
  claim: (ids: number[], jobId: number, staleMs: number): Sql => ({
    text: `update deliveries d set
             status = 'sending', sending_job = $2, updated_at = now(),
             attempts = case when d.status = 'sending' then d.attempts else d.attempts + 1 end,
             sending_since = case when d.status = 'sending' then d.sending_since else now() end
           from (select id, status as was from deliveries where id = any($1::bigint[]) for update) prev
           where d.id = prev.id and (
             (prev.was in ('pending', 'retrying') and (d.next_attempt_at is null or d.next_attempt_at <= now() + interval '1 second'))
             or (prev.was = 'sending' and (d.sending_job = $2 or d.sending_since < now() - make_interval(secs => $3::double precision / 1000))))
           returning d.id, prev.was = 'sending' as uncertain`,
    values: [ids, jobId, staleMs],
  }),
  /**
   * Everything a message is composed from. A credit note's delivery carries the credit note's
   * number, total and PDF (never the invoice's), with the invoice's number beside them.
   */
  load: (ids: number[]): Sql => ({
    text: `select d.id, d.invoice_id, d.credit_note_id, d.channel, d.recipient, d.locale, d.message_id, d.attempts, d.max_attempts, d.sending_since,
             c.name as customer_name, coalesce(cn.number, i.number) as number, i.number as invoice_number, i.period, i.currency,
             coalesce(cn.total_minor, i.total_minor) as total_minor, i.due_date, le.name as seller_name,
             case when d.credit_note_id is null then doc.path else cnd.path end as document_path,
             case when d.credit_note_id is null then doc.sha256 else cnd.sha256 end as document_sha256
           from deliveries d
           join invoices i on i.id = d.invoice_id
           join customers c on c.id = d.customer_id
           join legal_entities le on le.id = i.legal_entity_id
           left join invoice_documents doc on doc.invoice_id = d.invoice_id
           left join credit_notes cn on cn.id = d.credit_note_id
           left join credit_note_documents cnd on cnd.credit_note_id = d.credit_note_id
           where d.id = any($1::bigint[]) order by d.id`,
    values: [ids],
  }),
  /** Outcomes of a batch, one statement; only rows this job still holds as 'sending' change. */
  record: (jobId: number, rows: { id: number; status: 'sent' | 'retrying' | 'dead'; providerRef: string | null; errorKind: string | null; error: string | null; nextAttemptAt: Date | null }[]): Sql => ({
    text: `update deliveries d set status = r.status, provider_ref = coalesce(r.ref, d.provider_ref), error_kind = r.kind,
             last_error = coalesce(r.err, case when r.status = 'sent' then null else d.last_error end),
             next_attempt_at = r.next_at, updated_at = now(), sending_job = null,
             sent_at = case when r.status = 'sent' then now() else d.sent_at end
           from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) as r(id, status, ref, kind, err, next_at)
           where d.id = r.id and d.status = 'sending' and d.sending_job = $1`,
    values: [
      jobId, rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.providerRef), rows.map((r) => r.errorKind),
      rows.map((r) => r.error), rows.map((r) => r.nextAttemptAt),
    ],
  }),
  /** Deliveries left 'sending' by a job that no longer exists (found by the dispatcher's sweep). */
  orphanedSending: (staleMs: number, limit: number): Sql => ({
    text: `select d.id from deliveries d
           where d.status = 'sending' and d.sending_since < now() - make_interval(secs => $1::double precision / 1000)
             and not exists (select 1 from graphile_worker.jobs j where j.id = d.sending_job)
           order by d.id limit $2`,
    values: [staleMs, limit],
  }),
};
