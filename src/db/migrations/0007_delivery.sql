-- Delivery (issue 6): invoices by email, SMS and WhatsApp, driven by the outbox. See docs/delivery.md.

-- Outbox consumers read events in commit-safe order. Ids are handed out at insert, but
-- transactions commit in any order: a cursor on id alone would skip a shard that took ids
-- 1..5000 and committed after a shard holding 5001..10000 was read. Each event therefore
-- carries the id of the transaction that wrote it; a consumer only reads events whose
-- transaction is older than every transaction still running (pg_snapshot_xmin), and walks
-- them in (xid, id) order, so no event can ever appear behind its cursor.
alter table outbox_events add column xid xid8 not null default pg_current_xact_id();
create index outbox_events_xid_id on outbox_events (xid, id);

-- One row per consumer: its cursor, advanced in the same transaction that acts on the events.
create table event_consumers (
  name        text primary key,
  last_xid    xid8 not null default '0',
  last_id     bigint not null default 0,
  events_read bigint not null default 0,
  updated_at  timestamptz not null default now()
);

-- Wakes the delivery dispatcher when events are written: one graphile-worker job per
-- statement (not per row: a COPY of 5,000 invoice.issued events adds one). Deliberately without
-- a job key: a keyed job is one row that every billing shard would lock until it commits, and
-- shards also lock their invoice series — measured: deadlocks between concurrent shards. The
-- dispatcher instead removes the wake-ups that are waiting when it starts (they are covered).
-- Skipped when graphile-worker's schema is not installed yet.
create function billflow_outbox_wake() returns trigger language plpgsql as $$
begin
  if to_regnamespace('graphile_worker') is not null then
    perform graphile_worker.add_job('delivery_dispatch', '{}'::json, queue_name := 'billflow_delivery_dispatch', max_attempts := 25);
  end if;
  return null;
end $$;
create trigger outbox_events_wake after insert on outbox_events
  for each statement execute function billflow_outbox_wake();

-- Which channels a customer wants; no row = every channel the customer has an address for.
create table delivery_preferences (
  customer_id bigint primary key references customers(id),
  channels    text[] not null check (channels <@ array['email', 'sms', 'whatsapp']::text[]),
  updated_at  timestamptz not null default now()
);

-- One row per invoice × channel: the idempotency key of a message. Status:
--   pending → sending (recorded before the send) → sent
--                    ↘ retrying (transient failure, next_attempt_at) ↗
--                    ↘ dead (permanent failure, retries exhausted, or an uncertain send)
create table deliveries (
  id               bigint generated always as identity primary key,
  invoice_id       bigint not null references invoices(id),
  channel          text not null check (channel in ('email', 'sms', 'whatsapp')),
  customer_id      bigint not null,
  recipient        text not null,
  locale           text not null,
  -- Stable across every attempt: '<inv-42-email.…@domain>' (the email's Message-ID header).
  message_id       text not null,
  status           text not null default 'pending' check (status in ('pending', 'sending', 'retrying', 'sent', 'dead')),
  attempts         integer not null default 0,
  max_attempts     integer not null check (max_attempts between 1 and 100),
  next_attempt_at  timestamptz,
  -- The graphile-worker job that set 'sending': when that same job runs again, the earlier
  -- attempt died between sending and recording (see docs/delivery.md, "the crash window").
  sending_job      bigint,
  sending_since    timestamptz,
  provider_ref     text,                -- SMTP response / Twilio SID / WhatsApp message id
  error_kind       text check (error_kind in ('permanent', 'transient', 'uncertain', 'exhausted')),
  last_error       text,
  requeues         integer not null default 0,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  sent_at          timestamptz,
  unique (invoice_id, channel)
);
create index deliveries_status on deliveries (status, updated_at) where status <> 'sent';
create index deliveries_customer on deliveries (customer_id);
