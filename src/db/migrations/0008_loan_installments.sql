-- Loan repayments move loans (docs/proration-and-loans.md, "Paying installments").

-- The loan and installment a line bills: set on emi_principal and emi_interest lines (the
-- installment billed) and on late_fee lines (the installment the fee is for); null otherwise.
-- Nullable without a default: adding them rewrites nothing.
alter table invoice_lines
  add column loan_id bigint,
  add column installment_seq integer;

-- One row per installment paid, written in the transaction that marks its invoice paid
-- (collection, janitor or repayment). The key makes counting idempotent: an installment is
-- counted into loans.paid_installments once, whatever path or repeat pays it.
create table loan_installments_paid (
  loan_id     bigint not null references loans(id),
  seq         integer not null check (seq >= 1),
  invoice_id  bigint not null references invoices(id),
  paid_at     timestamptz not null,
  primary key (loan_id, seq)
);

-- The provider charge a refund of customer credit is made against (Stripe refunds need one):
-- chosen once with the intent, so a resumed refund repeats the same request under its key.
alter table refund_intents add column charge_ref text;
create index refund_intents_charge on refund_intents (charge_ref) where charge_ref is not null;
