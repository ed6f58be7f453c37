-- Credit notes (issue 5): a credit note reverses all or part of an issued invoice, with its own
-- gapless number series, its lines and taxes, its ledger entry and its PDF. See docs/credit-notes.md.

-- What credit notes have taken off the invoice so far (the sum of their totals). The part of an
-- invoice that can still be credited is total_minor − credited_minor; while the invoice is
-- unpaid, credit notes reduce what the customer owes, so collection and repayments charge
-- total_minor − credited_minor (the amount due). Kept on the invoice row (not summed from
-- credit_notes) because the collector's claim filters on it for every due invoice. A constant
-- default adds the column without rewriting the table.
alter table invoices add column credited_minor bigint not null default 0;

-- One number series per legal entity and year of issue, beside the invoices' own
-- (invoice_series): `<prefix>-CN-<year>`, numbers 1, 2, 3… with no gaps (docs/invoice-numbering.md).
create table credit_note_series (
  series          text primary key,      -- prefix-CN-YYYY
  legal_entity_id text not null references legal_entities(id),
  year            integer not null,
  next_number     bigint not null default 1
);

create table credit_notes (
  id                 bigint generated always as identity primary key,
  number             text not null unique,
  invoice_id         bigint not null references invoices(id),
  customer_id        bigint not null references customers(id),
  legal_entity_id    text not null,
  currency           char(3) not null,
  -- 'full' (everything still creditable), 'amount' (a tax-inclusive amount), 'lines' (line quantities)
  mode               text not null check (mode in ('full', 'amount', 'lines')),
  reason             text not null check (length(reason) between 1 and 500),
  -- Amounts are positive: what is taken off the invoice (net of discount, its tax, the total).
  subtotal_minor     bigint not null,
  discount_minor     bigint not null,
  tax_minor          bigint not null,
  total_minor        bigint not null check (total_minor > 0),
  tax_breakdown      jsonb not null,      -- [{name, ratePercent, amountMinor}]
  -- How the total was settled: off what the customer still owed on the invoice (receivable),
  -- and the rest as customer credit (the invoice was paid). The two add up to the total.
  receivable_minor   bigint not null check (receivable_minor >= 0),
  customer_credit_minor bigint not null check (customer_credit_minor >= 0),
  issue_date         date not null,
  created_at         timestamptz not null default now(),
  check (receivable_minor + customer_credit_minor = total_minor)
);
create index credit_notes_invoice on credit_notes (invoice_id);

create table credit_note_lines (
  credit_note_id     bigint not null references credit_notes(id),
  line_no            smallint not null,
  -- The invoice line credited (line mode and full credit notes); null for an amount credit.
  invoice_line_no    smallint,
  description        text not null,
  quantity           bigint not null,
  unit_amount_minor  bigint not null,
  amount_minor       bigint not null,
  discount_minor     bigint not null,
  tax_minor          bigint not null,
  total_minor        bigint not null,
  tax_breakdown      json,
  primary key (credit_note_id, line_no)
);

-- The credit note's PDF (as invoice_documents for invoices): path, size and SHA-256.
create table credit_note_documents (
  credit_note_id bigint primary key references credit_notes(id),
  locale         text not null,
  content_hash   char(64) not null,
  storage        text not null check (storage in ('dir', 's3')),
  path           text not null,
  size_bytes     integer not null check (size_bytes > 0),
  sha256         char(64) not null,
  pages          smallint not null check (pages > 0),
  rendered_at    timestamptz not null default now()
);
