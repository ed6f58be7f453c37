import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { installmentSchedule } from '../loans/index.ts';
import type { LoanInput } from '../billing/types.ts';
import type { LoanStatementRecord, StatementEntry } from './statement-view.ts';

/** Bounds: a statement covers at most this span and lists at most this many movements. */
const MAX_STATEMENT_DAYS = 3 * 366;
const MAX_PAYMENTS = 20_000;

const loanSql = (loanId: number) => ({
  text: `select l.id, l.currency, l.principal_minor, l.annual_rate::text as annual_rate, l.tenure_months, l.first_due_on,
           l.emi_minor, l.late_fee_minor, l.paid_installments, l.status,
           c.id as customer_id, c.external_id, c.name, c.email, c.phone, c.country, c.locale,
           le.id as seller_id, le.name as seller_name, le.country as seller_country, tr.name as seller_region
         from loans l join customers c on c.id = l.customer_id
         join legal_entities le on le.id = c.legal_entity_id
         left join tax_regions tr on tr.code = le.tax_region
         where l.id = $1`,
  values: [loanId],
});

const paymentsSql = (customerId: number, currency: string, before: string) => ({
  text: `select received_at::date::text as date, amount_minor, coalesce(external_ref, 'PAY-' || id) as reference
         from payments where customer_id = $1 and currency = $2 and received_at < $3::date
         order by received_at limit ${MAX_PAYMENTS}`,
  values: [customerId, currency, before],
});

/**
 * A loan account statement for [from, to): EMIs due are debits (from the loan's schedule),
 * payments received from the customer in the loan's currency are credits. The opening balance
 * is what was owed at `from` by the same rule.
 */
export async function loadLoanStatement(db: pg.Pool, input: { loanId: number; from: string; to: string; issueDate: string }): Promise<LoanStatementRecord> {
  const days = (Date.parse(input.to) - Date.parse(input.from)) / 86_400_000;
  if (!(days > 0 && days <= MAX_STATEMENT_DAYS)) {
    throw new BillflowError('invalid_input', `statement period ${input.from}..${input.to}: expected 1 to ${MAX_STATEMENT_DAYS} days`, { details: [{ field: 'to', message: 'bad period' }] });
  }
  const l = (await db.query(loanSql(input.loanId))).rows[0] as Record<string, unknown> | undefined;
  if (!l) throw new BillflowError('not_found', `loan ${input.loanId} not found`, { httpStatus: 404 });
  const loan: LoanInput = {
    id: l.id as number, currency: l.currency as string, principalMinor: l.principal_minor as number, annualRate: l.annual_rate as string,
    tenureMonths: l.tenure_months as number, firstDueOn: l.first_due_on as string, emiMinor: l.emi_minor as number,
    lateFeeMinor: l.late_fee_minor as number, paidInstallments: l.paid_installments as number, status: l.status as LoanInput['status'],
  };
  let opening = 0;
  const entries: StatementEntry[] = [];
  for (const inst of installmentSchedule(loan)) {
    if (inst.dueOn >= input.to) break;
    const row = {
      date: inst.dueOn, description: `EMI ${inst.seq}/${loan.tenureMonths} (principal + interest)`, reference: `EMI-${loan.id}-${inst.seq}`,
      debitMinor: inst.emiMinor, creditMinor: 0,
    };
    if (inst.dueOn < input.from) opening += inst.emiMinor;
    else entries.push(row);
  }
  for (const p of (await db.query(paymentsSql(l.customer_id as number, loan.currency, input.to))).rows as { date: string; amount_minor: number; reference: string }[]) {
    if (p.date < input.from) opening -= p.amount_minor;
    else entries.push({ date: p.date, description: 'Payment received', reference: p.reference, debitMinor: 0, creditMinor: p.amount_minor });
  }
  return {
    number: `LS-${loan.id}-${input.from.replace(/-/g, '')}`, loanId: loan.id, currency: loan.currency, principalMinor: loan.principalMinor,
    annualRate: loan.annualRate, tenureMonths: loan.tenureMonths, emiMinor: loan.emiMinor, from: input.from, to: input.to,
    issueDate: input.issueDate, openingMinor: opening, entries,
    customer: {
      id: l.customer_id as number, externalId: (l.external_id as string | null) ?? null, name: l.name as string, email: (l.email as string | null) ?? null,
      phone: (l.phone as string | null) ?? null, country: l.country as string, locale: l.locale as string,
    },
    seller: { id: l.seller_id as string, name: l.seller_name as string, country: l.seller_country as string, taxRegionName: (l.seller_region as string | null) ?? null },
  };
}
