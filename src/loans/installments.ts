/**
 * Paying EMI invoices moves loans. Whoever marks an invoice paid — collection (and the janitor
 * settling an unknown charge), or a repayment applied to it — calls recordPaidInstallments in
 * the same transaction, so the invoice's payment and the loan's progress commit or roll back
 * together. The installments come from the invoice's EMI lines (invoice_lines.loan_id and
 * installment_seq, written by the billing run), and each (loan, installment) is recorded once in
 * loan_installments_paid: paying or processing the same payment twice never counts twice.
 *
 * paid_installments counts installments paid, and the billing compute reads it as "the first n
 * are paid" (late fees go to seq > n). So an installment paid while an older one is still open
 * settles the older one — the usual rule that a loan payment goes to the oldest installment due —
 * and the one late fee still owed is labelled with the newer installment. The number of late
 * fees is exact either way. docs/proration-and-loans.md has the rules.
 */
import type pg from 'pg';
import { loansSql } from './loans-sql.ts';

export interface LoanAdvance {
  loanId: number;
  customerId: number;
  /** Installments this call recorded as paid (none twice, ever). */
  seqs: number[];
  invoiceIds: number[];
  paidInstallments: number;
  status: 'active' | 'closed' | 'written_off';
  /** This call paid the last installment and closed the loan. */
  closed: boolean;
}

export const TOPIC_LOAN_INSTALLMENTS_PAID = 'loan.installments_paid';
export const TOPIC_LOAN_CLOSED = 'loan.closed';

/**
 * Records the installments these (just paid) invoices bill and advances their loans, in the
 * caller's transaction, with an outbox event per loan advanced (and loan.closed when it closes).
 * Invoices without EMI lines change nothing.
 */
export async function recordPaidInstallments(client: pg.PoolClient, invoiceIds: readonly number[], paidAt: Date): Promise<LoanAdvance[]> {
  if (invoiceIds.length === 0) return [];
  const rec = loansSql.recordPaidInstallments(invoiceIds, paidAt);
  const recorded = (await client.query<{ loan_id: number; seq: number; invoice_id: number }>(rec.text, rec.values)).rows;
  if (recorded.length === 0) return [];
  const byLoan = new Map<number, { seqs: number[]; invoiceIds: Set<number> }>();
  for (const r of recorded) {
    let entry = byLoan.get(r.loan_id);
    if (!entry) byLoan.set(r.loan_id, (entry = { seqs: [], invoiceIds: new Set() }));
    entry.seqs.push(r.seq);
    entry.invoiceIds.add(r.invoice_id);
  }
  const loanIds = [...byLoan.keys()].sort((a, b) => a - b);
  const adv = loansSql.advancePaidInstallments(loanIds, loanIds.map((id) => byLoan.get(id)!.seqs.length));
  const rows = (await client.query<{ id: number; customer_id: number; paid_installments: number; status: LoanAdvance['status']; previous_status: string }>(adv.text, adv.values)).rows;
  const advances = rows.map((r): LoanAdvance => {
    const entry = byLoan.get(r.id)!;
    return {
      loanId: r.id, customerId: r.customer_id, seqs: entry.seqs.sort((a, b) => a - b), invoiceIds: [...entry.invoiceIds].sort((a, b) => a - b),
      paidInstallments: r.paid_installments, status: r.status, closed: r.status === 'closed' && r.previous_status !== 'closed',
    };
  }).sort((a, b) => a.loanId - b.loanId);
  const paidEvent = loansSql.outbox(TOPIC_LOAN_INSTALLMENTS_PAID, advances.map((a) => a.loanId), advances.map((a) => JSON.stringify({
    loanId: a.loanId, customerId: a.customerId, installments: a.seqs, invoiceIds: a.invoiceIds, paidInstallments: a.paidInstallments, status: a.status,
  })));
  await client.query(paidEvent.text, paidEvent.values);
  const closed = advances.filter((a) => a.closed);
  if (closed.length > 0) {
    const closedEvent = loansSql.outbox(TOPIC_LOAN_CLOSED, closed.map((a) => a.loanId), closed.map((a) => JSON.stringify({ loanId: a.loanId, customerId: a.customerId })));
    await client.query(closedEvent.text, closedEvent.values);
  }
  return advances;
}
