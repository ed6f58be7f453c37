-- Documents (issue 4): invoice PDFs rendered with Typst, where they are stored, and the render
-- jobs of the pipeline. See docs/documents.md.

-- One row per rendered invoice: path, size and SHA-256 of its PDF. Kept beside `invoices`
-- (1:1, keyed by invoice id) rather than as columns on it: a render run would otherwise UPDATE
-- every invoice row (a full second copy of a hot, wide table and of each of its indexes).
create table invoice_documents (
  invoice_id    bigint primary key references invoices(id),
  kind          text not null check (kind in ('invoice', 'credit_note')),
  locale        text not null,
  -- sha256 of (template set, view schema, the invoice's JSON view): same hash, same document,
  -- so rendering again stores nothing new.
  content_hash  char(64) not null,
  storage       text not null check (storage in ('dir', 's3')),
  path          text not null,            -- key inside the store: 2026-11/<customerId>/<number>.pdf
  size_bytes    integer not null check (size_bytes > 0),
  sha256        char(64) not null,        -- of the PDF bytes
  pages         smallint not null check (pages > 0),
  rendered_at   timestamptz not null default now()
);

-- Render jobs: one per billing shard (or ad-hoc invoice), queued in the shard's own transaction
-- after persist. Each is also a graphile-worker job ('documents_render', payload {renderJobId});
-- this row keeps the invoices, the outcome and the last error, like billing_shards does.
create table document_render_jobs (
  id            bigint generated always as identity primary key,
  run_id        bigint references billing_runs(id),
  invoice_ids   bigint[] not null check (cardinality(invoice_ids) between 1 and 100000),
  status        text not null default 'pending' check (status in ('pending', 'running', 'retrying', 'done', 'parked')),
  attempts      integer not null default 0,
  rendered      integer not null default 0,   -- PDFs written by the last attempt
  unchanged     integer not null default 0,   -- already rendered with the same content hash
  failed        integer not null default 0,   -- documents whose data broke the template
  last_error    text,
  created_at    timestamptz not null default now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
create index document_render_jobs_run on document_render_jobs (run_id);
create index document_render_jobs_open on document_render_jobs (status) where status <> 'done';
