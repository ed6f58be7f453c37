/** SQL of customer credit applied to open invoices (apply.ts). Each function returns {text, values} and runs nothing. */
import type { ClaimFilter, Sql } from '../attempts/attempts-sql.ts';

export type CreditTrigger = 'collect' | 'repayment' | 'api' | 'cli';

/** What is still owed on an unpaid invoice: its total less credit notes and credit applied. */
const due = (alias: string) => `${alias}.total_minor - ${alias}.credited_minor - ${alias}.credit_applied_minor`;

export const creditSql = {
  /** The balance row, locked to commit: appliers of one customer's credit take turns, and the refund saga's version check sees them. */
  lockBalance: (customerId: number, currency: string): Sql => ({
    text: `select credit_minor, version from customer_balances where customer_id = $1 and currency = $2 for update`,
    values: [customerId, currency],
  }),
  /**
   * Open invoices of the customer in the currency, oldest first, with what is due on them; those
   * being charged right now (an attempt in flight or of unknown outcome) are the collector's,
   * and rows another transaction holds are skipped. Repayments allocate over the same list.
   */
  openInvoices: (customerId: number, currency: string, limit: number): Sql => ({
    text: `select i.id, ${due('i')} as due_minor from invoices i
           where customer_id = $1 and currency = $2 and status = 'issued' and payment_status in ('pending', 'failed') and ${due('i')} > 0
             and not exists (select 1 from payment_attempts a where a.invoice_id = i.id and a.status in ('started', 'unknown'))
           order by issue_date, id limit $3 for update skip locked`,
    values: [customerId, currency, limit],
  }),
  insertApplications: (customerId: number, currency: string, invoiceIds: number[], amounts: number[], now: Date, trigger: CreditTrigger): Sql => ({
    text: `insert into credit_applications (customer_id, invoice_id, currency, amount_minor, applied_at, trigger)
           select $1, u.invoice_id, $2, u.amount, $5, $6 from unnest($3::bigint[], $4::bigint[]) with ordinality as u(invoice_id, amount, n)
           order by u.n returning id, invoice_id, amount_minor`,
    values: [customerId, currency, invoiceIds, amounts, now, trigger],
  }),
  /** The invoices' applied credit grows; those it pays in full become paid. */
  applyToInvoices: (invoiceIds: number[], amounts: number[], paid: boolean[]): Sql => ({
    text: `update invoices i set credit_applied_minor = i.credit_applied_minor + u.amount,
             payment_status = case when u.paid then 'paid' else i.payment_status end
           from unnest($1::bigint[], $2::bigint[], $3::boolean[]) as u(id, amount, paid) where i.id = u.id
           returning i.id, ${due('i')} as due_minor`,
    values: [invoiceIds, amounts, paid],
  }),
  /**
   * Customers (and currencies) holding credit with an unpaid invoice in the collect filter, a page
   * after the cursor. Starts from the partial index of balances with credit: with nobody holding
   * credit it reads a few index pages.
   */
  customersWithCredit: (f: ClaimFilter, after: { customerId: number; currency: string }, limit: number): Sql => ({
    text: `select b.customer_id, b.currency from customer_balances b
           where b.credit_minor > 0 and (b.customer_id, b.currency) > ($3::bigint, $4::char(3))
             and exists (select 1 from invoices i where i.customer_id = b.customer_id and i.currency = b.currency and i.status = 'issued'
                           and i.payment_status in ('pending', 'failed') and ${due('i')} > 0
                           and ($1::bigint[] is null or i.id = any($1)) and ($2::bigint is null or i.run_id = $2))
           order by b.customer_id, b.currency limit $5`,
    values: [f.invoiceIds, f.runId, after.customerId, after.currency, limit],
  }),
};
