/**
 * createLoan: validates the terms, computes the EMI once with the amortization formula
 * (emi.ts) and stores it; the schedule is then a pure function of the loans row, which
 * getLoanSchedule recomputes on demand.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { IsoDate, LoanInput } from '../billing/types.ts';
import { BillflowError } from '../errors.ts';
import {
  amountMinorSchema,
  currencyCodeSchema,
  inTransaction,
  invalidInputError,
  isoDateSchema,
  lockCustomer,
  notFound,
  pageLimitSchema,
  parseInput,
  recordIdSchema,
  run,
  type Deps,
} from '../customers/index.ts';
import { computeEmiMinor, installmentSchedule, type Installment } from './emi.ts';
import { loansSql } from './loans-sql.ts';

/** Same bound as loans.tenure_months in 0001_core.sql. */
const MAX_TENURE_MONTHS = 480;

export const createLoanSchema = z.strictObject({
  customerId: recordIdSchema,
  /** Must be the customer's billing currency: EMIs are lines on the customer's invoices. */
  currency: currencyCodeSchema,
  principalMinor: amountMinorSchema.min(1, { error: 'must be ≥ 1' }),
  /** Percent per year as a decimal string, 0 ≤ rate < 100, up to 4 decimals: '10.5'. */
  annualRate: z.string().regex(/^\d{1,2}(\.\d{1,4})?$/, {
    error: "expected a decimal percent string 0–99.9999 such as '10.5'",
  }),
  tenureMonths: z.int().min(1, { error: 'must be ≥ 1' }).max(MAX_TENURE_MONTHS, { error: `at most ${MAX_TENURE_MONTHS}` }),
  firstDueOn: isoDateSchema,
  lateFeeMinor: amountMinorSchema.default(0),
});
export type CreateLoanInput = z.input<typeof createLoanSchema>;

export const listLoansSchema = z.strictObject({
  customerId: recordIdSchema.optional(),
  status: z.enum(['active', 'closed', 'written_off']).optional(),
  limit: pageLimitSchema,
  /** Cursor: the nextAfter of the previous page. */
  after: recordIdSchema.optional(),
});
export type ListLoansInput = z.input<typeof listLoansSchema>;

export interface Loan {
  id: number;
  customerId: number;
  currency: string;
  principalMinor: number;
  annualRate: string;
  tenureMonths: number;
  firstDueOn: IsoDate;
  emiMinor: number;
  lateFeeMinor: number;
  paidInstallments: number;
  status: 'active' | 'closed' | 'written_off';
  createdAt: string;
}

interface LoanRow {
  id: number;
  customer_id: number;
  currency: string;
  principal_minor: number;
  annual_rate: string;
  tenure_months: number;
  first_due_on: string;
  emi_minor: number;
  late_fee_minor: number;
  paid_installments: number;
  status: Loan['status'];
  created_at: Date;
}

function rowToLoan(r: LoanRow): Loan {
  return {
    id: r.id, customerId: r.customer_id, currency: r.currency, principalMinor: r.principal_minor, annualRate: r.annual_rate,
    tenureMonths: r.tenure_months, firstDueOn: r.first_due_on, emiMinor: r.emi_minor, lateFeeMinor: r.late_fee_minor,
    paidInstallments: r.paid_installments, status: r.status, createdAt: r.created_at.toISOString(),
  };
}

/** emi.ts reports an unsplittable principal as invalid_loan; to callers it is bad input. */
function emiOrInvalid(principalMinor: number, annualRate: string, tenureMonths: number): number {
  try {
    return computeEmiMinor(principalMinor, annualRate, tenureMonths);
  } catch (error) {
    if (error instanceof BillflowError && error.code === 'invalid_loan') throw invalidInputError(error.details);
    throw error;
  }
}

const LAST_DUE_YEAR = 9999;

/**
 * Terms whose schedule cannot be represented are bad input, refused before anything is written
 * (they would otherwise fail every later read of the schedule): the last installment due after
 * year 9999, or an amount past the safe-integer range — with extreme rates the rounded EMI barely
 * exceeds the interest and the final installment carries most of the principal plus interest.
 */
function checkSchedule(terms: { currency: string; principalMinor: number; annualRate: string; tenureMonths: number; firstDueOn: string }, emiMinor: number): void {
  const lastMonthIndex = Number(terms.firstDueOn.slice(0, 4)) * 12 + Number(terms.firstDueOn.slice(5, 7)) - 1 + terms.tenureMonths - 1;
  if (Math.floor(lastMonthIndex / 12) > LAST_DUE_YEAR) {
    throw invalidInputError([{ field: 'firstDueOn', message: `the last of ${terms.tenureMonths} monthly installments would fall after ${LAST_DUE_YEAR}` }]);
  }
  const schedule = installmentSchedule({
    id: 0, currency: terms.currency, principalMinor: terms.principalMinor, annualRate: terms.annualRate, tenureMonths: terms.tenureMonths,
    firstDueOn: terms.firstDueOn, emiMinor, lateFeeMinor: 0, paidInstallments: 0, status: 'active',
  });
  const totalMinor = schedule.reduce((sum, row) => sum + row.emiMinor, 0);
  if (!Number.isSafeInteger(totalMinor)) {
    throw invalidInputError([{ field: 'principalMinor', message: 'the installments would exceed the largest amount that can be billed: lower the principal or the rate' }]);
  }
}

export async function createLoan(deps: Deps, input: CreateLoanInput): Promise<Loan> {
  const terms = parseInput(createLoanSchema, input);
  const emiMinor = emiOrInvalid(terms.principalMinor, terms.annualRate, terms.tenureMonths);
  checkSchedule(terms, emiMinor);
  return inTransaction(deps.db, async (client) => {
    const customer = await lockCustomer(client, terms.customerId);
    if (customer.currency !== terms.currency) {
      throw invalidInputError([{ field: 'currency', message: `must be the customer's billing currency ${customer.currency}` }]);
    }
    const row = (await run<LoanRow>(client, loansSql.insert({ ...terms, emiMinor }))).rows[0]!;
    return rowToLoan(row);
  });
}

export async function getLoan(db: pg.Pool, loanId: number): Promise<Loan> {
  const id = parseInput(recordIdSchema, loanId, ['loanId']);
  const row = (await run<LoanRow>(db, loansSql.byId(id))).rows[0];
  if (row === undefined) throw notFound('loan', [{ field: 'loanId', message: `no loan with id ${id}` }]);
  return rowToLoan(row);
}

/** Loans by id, filtered, with a cursor: `nextAfter` continues, null on the last page. */
export async function listLoans(db: pg.Pool, input: ListLoansInput = {}): Promise<{ loans: Loan[]; nextAfter: number | null }> {
  const f = parseInput(listLoansSchema, input);
  const sql = loansSql.page({ customerId: f.customerId ?? null, status: f.status ?? null, after: f.after ?? 0, limit: f.limit });
  const loans = (await run<LoanRow>(db, sql)).rows.map(rowToLoan);
  const last = loans[loans.length - 1];
  return { loans, nextAfter: loans.length === f.limit && last !== undefined ? last.id : null };
}

export function toLoanInput(loan: Loan): LoanInput {
  return {
    id: loan.id, currency: loan.currency, principalMinor: loan.principalMinor, annualRate: loan.annualRate,
    tenureMonths: loan.tenureMonths, firstDueOn: loan.firstDueOn, emiMinor: loan.emiMinor, lateFeeMinor: loan.lateFeeMinor,
    paidInstallments: loan.paidInstallments, status: loan.status,
  };
}

/** Every installment from the first to the last, whatever has been paid. */
export async function getLoanSchedule(db: pg.Pool, loanId: number): Promise<Installment[]> {
  return installmentSchedule(toLoanInput(await getLoan(db, loanId)));
}
