-- Double-entry ledger (src/ledger, docs/ledger.md). Every movement of money — invoice issued,
-- payment collected, repayment received, refund, credit note — is one journal entry whose lines
-- sum to zero per currency, written in the same transaction as the state change it records.
-- Amounts are signed bigint minor units: debit > 0, credit < 0.

create table ledger_accounts (
  code    text primary key,
  name    text not null,
  kind    text not null check (kind in ('asset', 'liability', 'revenue', 'contra_revenue'))
);
insert into ledger_accounts (code, name, kind) values
  ('receivable', 'Accounts receivable', 'asset'),
  ('cash', 'Cash and provider clearing', 'asset'),
  ('revenue', 'Revenue', 'revenue'),
  ('tax_payable', 'Tax payable', 'liability'),
  ('customer_credit', 'Customer credit (money owed to customers)', 'liability'),
  ('refunds', 'Refunds and credit notes', 'contra_revenue'),
  ('refunds_in_transit', 'Refunds sent to the provider, not yet confirmed', 'liability');

-- Entry ids are reserved in batches (the billing run takes a shard's ids in one round trip).
create sequence journal_entry_id_seq as bigint cache 1000;

create table journal_entries (
  id           bigint primary key,
  -- invoice | payment | repayment | refund_intent | refund | refund_compensation | credit_note | credit_applied
  kind         text not null,
  -- The record this entry posts (invoice id, payment id, repayment id, ...). One entry per
  -- (kind, ref_id): a repeated posting fails on the key instead of doubling the books.
  ref_id       bigint not null,
  customer_id  bigint,
  currency     char(3) not null,
  posted_at    timestamptz not null default now(),
  unique (kind, ref_id)
);

create table journal_lines (
  -- No foreign key to journal_entries, as for invoice_lines: an entry and its lines are written
  -- by one statement pair in one transaction (src/ledger), and `billflow ledger check` proves
  -- there are no orphans. The key would cost the billing run's COPY a trigger event per line.
  entry_id     bigint not null,
  line_no      smallint not null,
  account      text not null,
  customer_id  bigint,
  currency     char(3) not null,
  amount_minor bigint not null check (amount_minor <> 0),
  primary key (entry_id, line_no)
);
-- No index by customer: every index here is paid per line by the billing run (three lines per
-- invoice); a customer's balances are in customer_balances, their entries found through
-- journal_entries.customer_id.

-- Balanced per entry and currency, enforced by the database for every statement that writes
-- lines (COPY included): a statement must carry all the lines of the entries it writes. One
-- aggregate over the statement's new rows, not a trigger per row.
create function billflow_journal_balanced() returns trigger language plpgsql as $$
declare bad record;
begin
  select entry_id, currency, sum(amount_minor) as off into bad from new_lines
    group by entry_id, currency having sum(amount_minor) <> 0 limit 1;
  if found then
    raise exception 'journal entry % is unbalanced in %: lines sum to %', bad.entry_id, bad.currency, bad.off
      using errcode = 'check_violation';
  end if;
  return null;
end $$;
create trigger journal_lines_balanced after insert on journal_lines
  referencing new table as new_lines for each statement execute function billflow_journal_balanced();

-- The journal is append-only: corrections are new entries (credit notes, reversals).
create function billflow_journal_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the journal is append-only: post a correcting entry instead' using errcode = 'restrict_violation';
end $$;
create trigger journal_lines_append_only before update or delete on journal_lines
  for each row execute function billflow_journal_append_only();
create trigger journal_entries_append_only before update or delete on journal_entries
  for each row execute function billflow_journal_append_only();
create trigger journal_lines_no_truncate before truncate on journal_lines
  for each statement execute function billflow_journal_append_only();
create trigger journal_entries_no_truncate before truncate on journal_entries
  for each statement execute function billflow_journal_append_only();

-- A customer's running balances, kept with every posting: receivable_minor = sum of the
-- customer's 'receivable' lines (what they owe), credit_minor = minus the sum of their
-- 'customer_credit' lines (what we owe them). `version` increases with every change: writers
-- that read a balance and decide from it (applying credit, refunding excess) update
-- `where version = $read` and retry on a conflict (optimistic concurrency).
create table customer_balances (
  customer_id      bigint not null,
  currency         char(3) not null,
  receivable_minor bigint not null default 0,
  credit_minor     bigint not null default 0,
  version          bigint not null default 1,
  updated_at       timestamptz not null default now(),
  primary key (customer_id, currency)
);
