/**
 * Loans: creation (EMI computed once and stored) and the installment schedule; re-exported,
 * the pure EMI and schedule functions of emi.ts.
 */
export { createLoan, getLoan, getLoanSchedule, listLoans, toLoanInput, createLoanSchema, listLoansSchema } from './create.ts';
export type { Loan, CreateLoanInput, ListLoansInput } from './create.ts';
export * from './emi.ts';
export { recordPaidInstallments, TOPIC_LOAN_CLOSED, TOPIC_LOAN_INSTALLMENTS_PAID } from './installments.ts';
export type { LoanAdvance } from './installments.ts';
