/**
 * SQL for loans. Each function returns {text, values} and runs nothing.
 */
import type { Sql } from '../customers/index.ts';

const COLUMNS = `id, customer_id, currency, principal_minor, annual_rate::text as annual_rate, tenure_months,
  first_due_on, emi_minor, late_fee_minor, paid_installments, status, created_at`;

export const loansSql = {
  insert: (l: {
    customerId: number;
    currency: string;
    principalMinor: number;
    annualRate: string;
    tenureMonths: number;
    firstDueOn: string;
    emiMinor: number;
    lateFeeMinor: number;
  }): Sql => ({
    text: `insert into loans (customer_id, currency, principal_minor, annual_rate, tenure_months, first_due_on,
             emi_minor, late_fee_minor)
           values ($1, $2, $3, $4::numeric, $5, $6, $7, $8) returning ${COLUMNS}`,
    values: [l.customerId, l.currency, l.principalMinor, l.annualRate, l.tenureMonths, l.firstDueOn, l.emiMinor, l.lateFeeMinor],
  }),
  /** A page by id after a cursor, optionally one customer's or one status's. */
  page: (f: { customerId: number | null; status: string | null; after: number; limit: number }): Sql => ({
    text: `select ${COLUMNS} from loans
           where id > $1 and ($2::bigint is null or customer_id = $2) and ($3::text is null or status = $3)
           order by id limit $4`,
    values: [f.after, f.customerId, f.status, f.limit],
  }),
  byId: (id: number): Sql => ({
    text: `select ${COLUMNS} from loans where id = $1`,
    values: [id],
  }),
  /**
   * The installments billed on these invoices' EMI lines, recorded as paid — each (loan, seq) once
   * ever: a repeat, or another invoice naming the same installment, inserts nothing and is not
   * returned. Late-fee lines name an installment too but pay none.
   */
  recordPaidInstallments: (invoiceIds: readonly number[], paidAt: Date): Sql => ({
    text: `insert into loan_installments_paid (loan_id, seq, invoice_id, paid_at)
           select distinct on (l.loan_id, l.installment_seq) l.loan_id, l.installment_seq, l.invoice_id, $2
           from invoice_lines l
           where l.invoice_id = any($1::bigint[]) and l.kind in ('emi_principal', 'emi_interest') and l.loan_id is not null
           order by l.loan_id, l.installment_seq, l.invoice_id
           on conflict (loan_id, seq) do nothing
           returning loan_id, seq, invoice_id`,
    values: [invoiceIds, paidAt],
  }),
  /**
   * Adds newly paid installments to loans (ids and counts, same order), locking the loans in id
   * order first (no deadlock between two payers of one customer's loans). The lock is FOR NO KEY
   * UPDATE, the update's own: FOR UPDATE would conflict with the key-share locks that the
   * loan_installments_paid foreign key takes, and two payers of one loan would deadlock. Never past
   * the tenure; an active loan whose last installment is paid becomes closed.
   */
  advancePaidInstallments: (loanIds: number[], counts: number[]): Sql => ({
    text: `with locked as (select id, status from loans where id = any($1::bigint[]) order by id for no key update),
           n as (select * from unnest($1::bigint[], $2::int[]) as u(loan_id, paid))
           update loans l set paid_installments = least(l.tenure_months, l.paid_installments + n.paid),
             status = case when l.status = 'active' and l.paid_installments + n.paid >= l.tenure_months then 'closed' else l.status end
           from n join locked k on k.id = n.loan_id
           where l.id = n.loan_id
           returning l.id, l.customer_id, l.paid_installments, l.tenure_months, l.status, k.status as previous_status`,
    values: [loanIds, counts],
  }),
  outbox: (topic: string, aggregateIds: number[], payloads: string[]): Sql => ({
    text: `insert into outbox_events (topic, aggregate_id, payload) select $1, * from unnest($2::bigint[], $3::json[])`,
    values: [topic, aggregateIds, payloads],
  }),
};
