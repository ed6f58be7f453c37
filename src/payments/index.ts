/**
 * Payments: providers (sandbox, stripe), collection with an audit trail of attempts, dunning,
 * the janitor that settles unknown outcomes, and the failed-payment workflow. See docs/payments.md.
 */
export { collect } from './collection/collect.ts';
export type { CollectDeps, CollectInput, CollectSummary } from './collection/collect.ts';
export { applyCustomerCredit, applyCreditNow, MAX_INVOICES_PER_APPLICATION } from './credit/apply.ts';
export type { CreditApplicationResult } from './credit/apply.ts';
export { creditSql } from './credit/credit-sql.ts';
export type { CreditTrigger } from './credit/credit-sql.ts';
export { planCreditApplication } from './credit/plan.ts';
export { queueCollection, scheduleJanitor, COLLECT_TASK, JANITOR_TASK } from './collection/queue.ts';
export { RateLimiter, SharedRateLimiter, mapBounded } from './collection/limits.ts';
export { resolveUnknown, sweepOrphans } from './janitor/janitor.ts';
export type { JanitorSummary } from './janitor/janitor.ts';
export { planOutcomes, nextCheckAt } from './dunning/plan.ts';
export { createProvider, SandboxProvider, StripeProvider, sandboxBehaviour } from './providers/index.ts';
export type { ChargeOutcome, ChargeRequest, PaymentProvider, RefundOutcome, RefundRequest, RetrieveOutcome } from './providers/index.ts';
export { paymentTasks } from './tasks.ts';
export { paymentsSettingsSchema, DEFAULT_PAYMENTS_SETTINGS } from './settings.ts';
export type { PaymentsSettings } from './settings.ts';
