/**
 * Billing, as other capabilities and the HTTP/CLI layers reach it: runs (create, progress and
 * status, resume, cancel), invoices on demand one at a time or in batches, and the job runner.
 * The pure compute and the shard stages stay internal to this folder.
 */
export { createRun, getRunProgress, resumeRun, cancelRun, shardErrors, listRuns } from './run.ts';
export type { CreateRunInput, RunProgress } from './run.ts';
export { runStatus } from './run-status.ts';
export { createAdHocInvoice, adHocInvoiceSchema } from './adhoc.ts';
export type { AdHocInvoice, AdHocInvoiceInput } from './adhoc.ts';
export { createAdHocInvoices } from './adhoc-batch.ts';
export type { AdHocJob, AdHocOutcome } from './adhoc-batch.ts';
export { createAdHocInvoiceBatcher } from './adhoc-batcher.ts';
export type { AdHocInvoiceBatcher } from './adhoc-batcher.ts';
export { startThreadPool } from './thread-pool.ts';
export type { ThreadPool } from './thread-pool.ts';
export type { RunnerSettings } from './jobs.ts';
