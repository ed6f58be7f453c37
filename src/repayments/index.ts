/**
 * Repayments: money customers send (EMIs by bank transfer or UPI, card refunds back), with
 * duplicate blocking, allocation to open invoices, customer credit for the excess and its
 * refund saga. See docs/payments.md.
 */
export { repaymentSchema } from './schemas.ts';
export type { RepaymentInput } from './schemas.ts';
export { findDuplicate, allocate } from './duplicates.ts';
export { ingestRepayment } from './ingest.ts';
export type { RepaymentDeps, RepaymentResult } from './ingest.ts';
export { importRepayments, parseRepaymentFile } from './import.ts';
export type { ImportSummary } from './import.ts';
export { refundExcess, refundRepaymentExcess, resumeRefunds } from './refund.ts';
export type { NotRefunded, RefundDeps, RefundSagaResult } from './refund.ts';
