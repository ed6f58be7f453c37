-- The HTTP API (src/server): API keys, stored Idempotency-Key responses, invoice requeues, and
-- the indexes behind the API's invoice queries.

-- API keys. The secret is shown once at creation; only its SHA-256 is kept (a 256-bit random
-- secret cannot be guessed, so a fast hash is enough and lets every request be checked by one
-- index lookup; see docs/api.md). `prefix` is the non-secret start of the key, for people.
create table api_keys (
  id             bigint generated always as identity primary key,
  name           text not null,
  prefix         text not null,
  key_hash       bytea not null unique,
  scopes         text[] not null check (scopes <@ array['read', 'write', 'admin'] and cardinality(scopes) > 0),
  -- Requests per rate-limit window for this key; null = the server's api.rateLimit.max.
  rate_limit     integer check (rate_limit > 0),
  created_at     timestamptz not null default now(),
  last_used_at   timestamptz,
  revoked_at     timestamptz
);

-- Servers cache verified keys; a change to a key (revoke, scopes) tells them to drop the cache.
create function billflow_api_keys_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('billflow_api_keys', coalesce(new.id, old.id)::text);
  return null;
end $$;
create trigger api_keys_changed after update of scopes, revoked_at, rate_limit or delete on api_keys
  for each row execute function billflow_api_keys_changed();

-- Idempotency-Key (Stripe's semantics): the first response to (API key, Idempotency-Key) is kept
-- for 24 hours and replayed byte for byte; `fingerprint` (method, path, body hash) detects a key
-- reused for a different request. state 'in_progress' while the first request runs.
create table idempotency_keys (
  api_key_id     bigint not null references api_keys(id),
  key            text not null,
  fingerprint    bytea not null,
  state          text not null default 'in_progress' check (state in ('in_progress', 'done')),
  status_code    smallint,
  content_type   text,
  response_body  text,
  created_at     timestamptz not null default now(),
  primary key (api_key_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);

-- POST /rest/v1/invoices/{id}/requeue: a failed invoice goes back to payment_status 'pending'
-- and gets one open requeue row, which the collector (payments) consumes when it charges again.
-- The partial unique index is what makes "requeue twice in a row queues once" hold under races.
create table invoice_requeues (
  id             bigint generated always as identity primary key,
  invoice_id     bigint not null references invoices(id),
  requested_at   timestamptz not null default now(),
  api_key_id     bigint references api_keys(id),
  consumed_at    timestamptz
);
create unique index invoice_requeues_open on invoice_requeues (invoice_id) where consumed_at is null;

-- Invoice listings: by payment status (the compatible endpoint) and newest first with filters.
create index invoices_payment_status on invoices (payment_status, id);
create index invoices_period on invoices (period, id);
