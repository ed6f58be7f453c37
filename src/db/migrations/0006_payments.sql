-- Payments: collection attempts (the audit trail), dunning schedules, repayments (money customers
-- send), refund sagas, and the sandbox provider's own record of charges. See docs/payments.md.

-- A payment is money received: a collected invoice (kind 'charge', one per invoice at most) or a
-- repayment (kind 'repayment', see repayments).
alter table payments
  add column kind text not null default 'charge' check (kind in ('charge', 'repayment')),
  add column invoice_id bigint references invoices(id),
  add column attempt_id bigint,
  add column provider text;
-- No invoice is ever paid twice.
create unique index payments_invoice_once on payments (invoice_id) where kind = 'charge';

-- One row per provider call, written before the call (status 'started') and completed after it.
create table payment_attempts (
  id               bigint generated always as identity primary key,
  invoice_id       bigint not null references invoices(id),
  attempt_no       integer not null check (attempt_no >= 1),
  idempotency_key  text not null unique,
  provider         text not null,
  amount_minor     bigint not null check (amount_minor > 0),
  currency         char(3) not null,
  trigger          text not null check (trigger in ('collect', 'run', 'dunning', 'requeue')),
  -- started → succeeded | declined | unknown;  unknown → succeeded | declined | not_charged (janitor)
  status           text not null default 'started' check (status in ('started', 'succeeded', 'declined', 'unknown', 'not_charged')),
  started_at       timestamptz not null,
  finished_at      timestamptz,
  failure_code     text,
  failure_message  text,
  provider_ref     text,
  -- janitor: how many times the provider was asked about an unknown outcome, and when next
  checks           integer not null default 0,
  next_check_at    timestamptz,
  resolved_by      text check (resolved_by in ('response', 'janitor')),
  unique (invoice_id, attempt_no)
);
-- At most one attempt in flight (or of unknown outcome) per invoice: two collectors can never
-- charge one invoice at once, and an unknown outcome blocks new attempts until it is resolved.
create unique index payment_attempts_in_flight on payment_attempts (invoice_id) where status in ('started', 'unknown');
create index payment_attempts_unknown on payment_attempts (next_check_at) where status = 'unknown';
create index payment_attempts_started on payment_attempts (started_at) where status = 'started';

-- Dunning: when an invoice with declined attempts may be tried again.
create table payment_schedules (
  invoice_id       bigint primary key references invoices(id),
  next_attempt_at  timestamptz not null,
  last_failure     text
);

-- The sandbox provider's books (an external system simulated in the same database): one row per
-- charge or refund it actually performed, written before it answers. Tests count rows per key.
create table sandbox_charges (
  id               bigint generated always as identity primary key,
  idempotency_key  text not null,
  kind             text not null check (kind in ('charge', 'refund')),
  reference        text not null,          -- the invoice (charge) or the charge (refund)
  amount_minor     bigint not null,
  currency         char(3) not null,
  status           text not null check (status in ('succeeded', 'declined')),
  decline_code     text,
  created_at       timestamptz not null default now()
);
create index sandbox_charges_key on sandbox_charges (idempotency_key);

-- Money customers send (EMIs by bank transfer or UPI, card refunds back).
create table repayments (
  id               bigint generated always as identity primary key,
  customer_id      bigint not null references customers(id),
  currency         char(3) not null,
  amount_minor     bigint not null check (amount_minor > 0),
  channel          text not null,          -- bank_transfer, upi, card, cash, ...
  external_ref     text,
  received_at      timestamptz not null,
  status           text not null check (status in ('accepted', 'duplicate')),
  duplicate_of     bigint references repayments(id),
  applied_minor    bigint not null default 0,   -- to what the customer owed
  excess_minor     bigint not null default 0,   -- became customer credit
  loan_id          bigint references loans(id),
  source           text not null default 'api', -- api | import:<file name>
  created_at       timestamptz not null default now()
);
create unique index repayments_external_ref on repayments (customer_id, external_ref) where external_ref is not null and status = 'accepted';
create index repayments_window on repayments (customer_id, amount_minor, channel, received_at);

-- Refund saga of a customer's excess credit: intent → provider refund → ledger; compensated on failure.
create table refund_intents (
  id               bigint generated always as identity primary key,
  repayment_id     bigint references repayments(id),
  customer_id      bigint not null references customers(id),
  currency         char(3) not null,
  amount_minor     bigint not null check (amount_minor > 0),
  idempotency_key  text not null unique,
  status           text not null check (status in ('intent', 'refunded', 'posted', 'failed', 'compensated')),
  provider_ref     text,
  failure          text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
create unique index refund_intents_repayment on refund_intents (repayment_id) where repayment_id is not null;
