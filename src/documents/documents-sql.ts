import type { Sql } from '../billing/load-sql.ts';

export const RENDER_TASK = 'documents_render';

/** SQL of the documents capability. Each function returns {text, values} and runs nothing. */
export const documentsSql = {
  /** Invoices with their customer, seller and any document already rendered, by id. */
  invoices: (ids: number[]): Sql => ({
    text: `select i.id, i.number, i.period, i.currency, i.subtotal_minor, i.discount_minor, i.tax_minor, i.total_minor,
             i.tax_breakdown, i.issue_date, i.due_date, i.period_start, i.period_end, i.payment_status,
             c.id as customer_id, c.external_id, c.name, c.email, c.phone, c.country, c.locale, ctr.name as customer_region,
             le.id as seller_id, le.name as seller_name, le.country as seller_country, str.name as seller_region,
             d.content_hash, d.storage, d.path, d.size_bytes, d.sha256, d.pages
           from invoices i
           join customers c on c.id = i.customer_id
           join legal_entities le on le.id = i.legal_entity_id
           left join tax_regions ctr on ctr.code = c.tax_region
           left join tax_regions str on str.code = le.tax_region
           left join invoice_documents d on d.invoice_id = i.id
           where i.id = any($1::bigint[]) order by i.id`,
    values: [ids],
  }),
  lines: (ids: number[]): Sql => ({
    text: `select invoice_id, line_no, kind, description, quantity, unit_amount_minor, amount_minor, discount_minor,
             tax_minor, total_minor, tax_breakdown, service_start, service_end
           from invoice_lines where invoice_id = any($1::bigint[]) order by invoice_id, line_no`,
    values: [ids],
  }),
  /** A credit note with its invoice's period and service dates, customer, seller and stored document. */
  creditNote: (id: number): Sql => ({
    text: `select cn.id, cn.number, cn.reason, cn.currency, cn.subtotal_minor, cn.discount_minor, cn.tax_minor, cn.total_minor, cn.tax_breakdown,
             cn.issue_date, cn.receivable_minor, cn.customer_credit_minor, i.number as invoice_number, i.period, i.period_start, i.period_end,
             c.id as customer_id, c.external_id, c.name, c.email, c.phone, c.country, c.locale, ctr.name as customer_region,
             le.id as seller_id, le.name as seller_name, le.country as seller_country, str.name as seller_region,
             d.content_hash, d.storage, d.path, d.size_bytes, d.sha256, d.pages, d.rendered_at
           from credit_notes cn
           join invoices i on i.id = cn.invoice_id
           join customers c on c.id = cn.customer_id
           join legal_entities le on le.id = cn.legal_entity_id
           left join tax_regions ctr on ctr.code = c.tax_region
           left join tax_regions str on str.code = le.tax_region
           left join credit_note_documents d on d.credit_note_id = cn.id
           where cn.id = $1`,
    values: [id],
  }),
  creditNoteLines: (id: number): Sql => ({
    text: `select line_no, 'credit' as kind, description, quantity, unit_amount_minor, amount_minor, discount_minor, tax_minor, total_minor,
             tax_breakdown, null::date as service_start, null::date as service_end
           from credit_note_lines where credit_note_id = $1 order by line_no`,
    values: [id],
  }),
  /**
   * Records a credit note's rendered PDF; a re-render replaces the row. Like upsertDocuments, the
   * same statement writes a 'credit_note.document_rendered' event, so the record and its event
   * commit together (delivery emails the PDF once it exists, src/notifications).
   */
  upsertCreditNoteDocument: (r: { creditNoteId: number; locale: string; contentHash: string; storage: string; path: string; size: number; sha256: string; pages: number }): Sql => ({
    text: `with d as (insert into credit_note_documents (credit_note_id, locale, content_hash, storage, path, size_bytes, sha256, pages)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (credit_note_id) do update set locale = excluded.locale, content_hash = excluded.content_hash, storage = excluded.storage,
             path = excluded.path, size_bytes = excluded.size_bytes, sha256 = excluded.sha256, pages = excluded.pages, rendered_at = now()
           returning credit_note_id, storage, path, sha256)
           insert into outbox_events (topic, aggregate_id, payload)
           select 'credit_note.document_rendered', credit_note_id,
             json_build_object('creditNoteId', credit_note_id, 'storage', storage, 'path', path, 'sha256', sha256) from d`,
    values: [r.creditNoteId, r.locale, r.contentHash, r.storage, r.path, r.size, r.sha256, r.pages],
  }),
  document: (invoiceId: number): Sql => ({
    text: `select invoice_id, kind, locale, content_hash, storage, path, size_bytes, sha256, pages, rendered_at
           from invoice_documents where invoice_id = $1`,
    values: [invoiceId],
  }),
  /**
   * Records rendered documents (one statement for a batch); a re-render replaces the row. The
   * same statement writes an 'invoice.document_rendered' event per document to the outbox, so
   * the record and its event commit together (delivery reads them, src/notifications).
   */
  upsertDocuments: (rows: { invoiceId: number; kind: string; locale: string; contentHash: string; storage: string; path: string; size: number; sha256: string; pages: number }[]): Sql => ({
    text: `with d as (insert into invoice_documents (invoice_id, kind, locale, content_hash, storage, path, size_bytes, sha256, pages)
           select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::int[])
           on conflict (invoice_id) do update set kind = excluded.kind, locale = excluded.locale,
             content_hash = excluded.content_hash, storage = excluded.storage, path = excluded.path,
             size_bytes = excluded.size_bytes, sha256 = excluded.sha256, pages = excluded.pages, rendered_at = now()
           returning invoice_id, kind, storage, path, sha256)
           insert into outbox_events (topic, aggregate_id, payload)
           select 'invoice.document_rendered', invoice_id,
             json_build_object('invoiceId', invoice_id, 'kind', kind, 'storage', storage, 'path', path, 'sha256', sha256) from d`,
    values: [
      rows.map((r) => r.invoiceId), rows.map((r) => r.kind), rows.map((r) => r.locale), rows.map((r) => r.contentHash),
      rows.map((r) => r.storage), rows.map((r) => r.path), rows.map((r) => r.size), rows.map((r) => r.sha256), rows.map((r) => r.pages),
    ],
  }),
  /** A render job row and its graphile-worker job, in the caller's transaction (one round trip). */
  queueRender: (runId: number | null, invoiceIds: number[], maxAttempts: number): Sql => ({
    text: `with j as (insert into document_render_jobs (run_id, invoice_ids) values ($1, $2::bigint[]) returning id)
           select j.id, graphile_worker.add_job('${RENDER_TASK}', json_build_object('renderJobId', j.id),
             job_key := 'documents:' || j.id, max_attempts := $3) is not null as queued
           from j`,
    values: [runId, invoiceIds, maxAttempts],
  }),
  markRunning: (id: number, attempt: number): Sql => ({
    text: `update document_render_jobs set status = 'running', attempts = $2, started_at = coalesce(started_at, now())
           where id = $1 and status <> 'done' returning invoice_ids, run_id`,
    values: [id, attempt],
  }),
  markDone: (id: number, c: { rendered: number; unchanged: number }): Sql => ({
    text: `update document_render_jobs set status = 'done', rendered = $2, unchanged = $3, failed = 0, last_error = null,
             finished_at = now() where id = $1`,
    values: [id, c.rendered, c.unchanged],
  }),
  markFailed: (id: number, parked: boolean, error: string, c: { rendered: number; unchanged: number; failed: number }): Sql => ({
    text: `update document_render_jobs set status = $2, last_error = $3, rendered = $4, unchanged = $5, failed = $6,
             finished_at = case when $2 = 'parked' then now() else null end
           where id = $1 and status <> 'done'`,
    values: [id, parked ? 'parked' : 'retrying', error.slice(0, 4000), c.rendered, c.unchanged, c.failed],
  }),
  /** Parked jobs back in the queue (a fixed template): attempts start again. */
  requeueParked: (runId: number | null, maxAttempts: number): Sql => ({
    text: `with r as (update document_render_jobs set status = 'pending', attempts = 0, finished_at = null
                      where status = 'parked' and ($1::bigint is null or run_id = $1) returning id)
           select count(graphile_worker.add_job('${RENDER_TASK}', json_build_object('renderJobId', r.id),
             job_key := 'documents:' || r.id, max_attempts := $2))::int as requeued from r`,
    values: [runId, maxAttempts],
  }),
  /** Invoices of a run without a document, for queuing them (the demo, `billflow pdf --run`). */
  unrenderedOfRun: (runId: number, limit: number): Sql => ({
    text: `select i.id from invoices i where i.run_id = $1
             and not exists (select 1 from invoice_documents d where d.invoice_id = i.id)
             and not exists (select 1 from document_render_jobs j where j.status <> 'done' and i.id = any(j.invoice_ids))
           order by i.id limit $2`,
    values: [runId, limit],
  }),
  firstDocumentOfRun: (runId: number): Sql => ({
    text: `select i.id, d.path from invoices i join invoice_documents d on d.invoice_id = i.id where i.run_id = $1 order by i.id limit 1`,
    values: [runId],
  }),
  runProgress: (runId: number): Sql => ({
    text: `select (select count(*) from invoices where run_id = $1)::int as invoices,
             (select count(*) from invoices i join invoice_documents d on d.invoice_id = i.id where i.run_id = $1)::int as rendered,
             (select count(*) from document_render_jobs where run_id = $1 and status <> 'done')::int as open_jobs,
             (select count(*) from document_render_jobs where run_id = $1 and status = 'parked')::int as parked_jobs,
             (select max(last_error) from document_render_jobs where run_id = $1 and status = 'parked') as last_error`,
    values: [runId],
  }),
};
