/**
 * Loans: creation (EMI computed once and stored) and the installment schedule; re-exported,
 * the pure EMI and schedule functions of emi.ts.
 */
export { createLoan, getLoan, getLoanSchedule, toLoanInput, createLoanSchema } from './create.ts';
export type { Loan, CreateLoanInput } from './create.ts';
export * from './emi.ts';
