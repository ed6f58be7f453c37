/** SQL of credit notes (credit-notes.ts). Each function returns {text, values} and runs nothing. */
import type { Sql } from '../customers/index.ts';
import type { CreditNoteLinePlan, CreditNotePlan } from './credit-note-plan.ts';

/** graphile-worker task that renders and stores a credit note's PDF (src/documents). */
export const CREDIT_NOTE_RENDER_TASK = 'credit_note_render';

export const CREDIT_NOTE_COLUMNS = `c.id, c.number, c.invoice_id, c.customer_id, c.legal_entity_id, c.currency, c.mode, c.reason,
  c.subtotal_minor, c.discount_minor, c.tax_minor, c.total_minor, c.tax_breakdown, c.receivable_minor, c.customer_credit_minor,
  c.issue_date, c.created_at, i.number as invoice_number, i.total_minor as invoice_total_minor, i.credited_minor as invoice_credited_minor,
  i.credit_applied_minor as invoice_credit_applied_minor,
  i.payment_status as invoice_payment_status, d.path as pdf_path, d.size_bytes as pdf_size, d.sha256 as pdf_sha256, d.pages as pdf_pages,
  d.rendered_at as pdf_rendered_at`;

const FROM = `from credit_notes c join invoices i on i.id = c.invoice_id left join credit_note_documents d on d.credit_note_id = c.id`;

export const creditNotesSql = {
  /** The invoice, locked: credit notes of one invoice (and its collection claim) take turns. */
  lockInvoice: (invoiceId: number): Sql => ({
    text: `select i.id, i.number, i.status, i.payment_status, i.currency, i.customer_id, i.legal_entity_id, i.issue_date, i.total_minor,
             i.tax_minor, i.credited_minor, i.credit_applied_minor, i.tax_breakdown, le.number_prefix,
             exists (select 1 from payment_attempts a where a.invoice_id = i.id and a.status in ('started', 'unknown')) as payment_in_flight
           from invoices i join legal_entities le on le.id = i.legal_entity_id where i.id = $1 for update of i`,
    values: [invoiceId],
  }),
  invoiceLines: (invoiceId: number): Sql => ({
    text: `select line_no, description, quantity, unit_amount_minor, amount_minor, discount_minor, tax_minor, total_minor, tax_breakdown
           from invoice_lines where invoice_id = $1 order by line_no`,
    values: [invoiceId],
  }),
  /** Earlier credit notes of the invoice: their tax breakdowns, and the quantities they took per line. */
  earlierTaxes: (invoiceId: number): Sql => ({
    text: `select tax_breakdown from credit_notes where invoice_id = $1`,
    values: [invoiceId],
  }),
  earlierQuantities: (invoiceId: number): Sql => ({
    text: `select l.invoice_line_no, sum(l.quantity)::bigint as quantity from credit_note_lines l join credit_notes c on c.id = l.credit_note_id
           where c.invoice_id = $1 and l.invoice_line_no is not null group by l.invoice_line_no`,
    values: [invoiceId],
  }),
  /**
   * The next number of a series, taken with the row lock held to commit: numbers are gapless
   * (a rolled-back credit note gives its number back), as for invoices (invoice_series).
   */
  takeNumber: (series: string, legalEntityId: string, year: number): Sql => ({
    text: `insert into credit_note_series (series, legal_entity_id, year, next_number) values ($1, $2, $3, 2)
           on conflict (series) do update set next_number = credit_note_series.next_number + 1
           returning next_number - 1 as n`,
    values: [series, legalEntityId, year],
  }),
  insert: (c: { number: string; invoiceId: number; customerId: number; legalEntityId: string; currency: string; reason: string; issueDate: string; plan: CreditNotePlan }): Sql => ({
    text: `insert into credit_notes (number, invoice_id, customer_id, legal_entity_id, currency, mode, reason, subtotal_minor, discount_minor,
             tax_minor, total_minor, tax_breakdown, receivable_minor, customer_credit_minor, issue_date)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id`,
    values: [c.number, c.invoiceId, c.customerId, c.legalEntityId, c.currency, c.plan.mode, c.reason, c.plan.subtotalMinor, c.plan.discountMinor,
      c.plan.taxMinor, c.plan.totalMinor, JSON.stringify(c.plan.taxBreakdown), c.plan.receivableMinor, c.plan.customerCreditMinor, c.issueDate],
  }),
  insertLines: (creditNoteId: number, lines: CreditNoteLinePlan[]): Sql => ({
    text: `insert into credit_note_lines (credit_note_id, line_no, invoice_line_no, description, quantity, unit_amount_minor, amount_minor,
             discount_minor, tax_minor, total_minor, tax_breakdown)
           select $1, * from unnest($2::smallint[], $3::smallint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
             $9::bigint[], $10::bigint[], $11::json[])`,
    values: [creditNoteId, lines.map((l) => l.lineNo), lines.map((l) => l.invoiceLineNo), lines.map((l) => l.description), lines.map((l) => l.quantity),
      lines.map((l) => l.unitAmountMinor), lines.map((l) => l.amountMinor), lines.map((l) => l.discountMinor), lines.map((l) => l.taxMinor),
      lines.map((l) => l.totalMinor), lines.map((l) => (l.taxBreakdown === null ? null : JSON.stringify(l.taxBreakdown)))],
  }),
  /**
   * The invoice's credited total grows; an unpaid invoice with nothing left due needs no payment
   * any more (the collector would skip it anyway: it charges total − credited − credit applied).
   */
  creditInvoice: (invoiceId: number, totalMinor: number): Sql => ({
    text: `update invoices set credited_minor = credited_minor + $2,
             payment_status = case when payment_status in ('pending', 'failed') and total_minor - credited_minor - credit_applied_minor - $2 <= 0
                                   then 'not_required' else payment_status end
           where id = $1 returning payment_status, total_minor - credited_minor as left_minor`,
    values: [invoiceId, totalMinor],
  }),
  outbox: (creditNoteId: number, payload: unknown): Sql => ({
    text: `insert into outbox_events (topic, aggregate_id, payload) values ('credit_note.issued', $1, $2)`,
    values: [creditNoteId, JSON.stringify(payload)],
  }),
  /** Its PDF, rendered by a worker after commit (the job commits or rolls back with the credit note). */
  queueRender: (creditNoteId: number): Sql => ({
    text: `select graphile_worker.add_job('${CREDIT_NOTE_RENDER_TASK}', json_build_object('creditNoteId', $1::bigint),
             job_key := 'credit-note-pdf:' || $1::bigint, max_attempts := 5)`,
    values: [creditNoteId],
  }),
  byId: (id: number): Sql => ({ text: `select ${CREDIT_NOTE_COLUMNS} ${FROM} where c.id = $1`, values: [id] }),
  byInvoice: (invoiceId: number, limit: number): Sql => ({
    text: `select ${CREDIT_NOTE_COLUMNS} ${FROM} where c.invoice_id = $1 order by c.id limit $2`,
    values: [invoiceId, limit],
  }),
  lines: (ids: number[]): Sql => ({
    text: `select credit_note_id, line_no, invoice_line_no, description, quantity, unit_amount_minor, amount_minor, discount_minor, tax_minor,
             total_minor, tax_breakdown from credit_note_lines where credit_note_id = any($1::bigint[]) order by credit_note_id, line_no`,
    values: [ids],
  }),
};
