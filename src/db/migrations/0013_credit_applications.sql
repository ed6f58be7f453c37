-- Customer credit applied to open invoices (docs/payments.md, "Customer credit"). Credit a
-- customer holds (customer_balances.credit_minor: repayment excess, credit notes of paid
-- invoices) is used against what they owe, oldest invoice first, before their card is charged.

-- Customer credit used against this invoice so far (the sum of its credit_applications). The
-- amount due of an unpaid invoice is total_minor − credited_minor − credit_applied_minor. Kept
-- on the invoice row, like credited_minor, because the collector's claim filters on it. A
-- constant default adds the column without rewriting the table.
alter table invoices add column credit_applied_minor bigint not null default 0;

-- The audit trail: one row per application of credit to an invoice. Its ledger entry is
-- `credit_applied` with ref_id = id (customer credit Dr / receivable Cr); journal_entries'
-- unique (kind, ref_id) posts each application once.
create table credit_applications (
  id           bigint generated always as identity primary key,
  customer_id  bigint not null references customers(id),
  invoice_id   bigint not null references invoices(id),
  currency     char(3) not null,
  amount_minor bigint not null check (amount_minor > 0),
  applied_at   timestamptz not null,
  -- what applied it: a collector before claiming, a repayment's ingest, the API or the CLI
  trigger      text not null check (trigger in ('collect', 'repayment', 'api', 'cli'))
);
create index credit_applications_invoice on credit_applications (invoice_id);
create index credit_applications_customer on credit_applications (customer_id, applied_at);

-- Customers holding credit: the collector looks for them before every claim, and almost nobody
-- holds credit, so a partial index keeps that look-up at a few pages whatever the customer count.
create index customer_balances_with_credit on customer_balances (customer_id, currency) where credit_minor > 0;
