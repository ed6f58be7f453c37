/**
 * The double-entry ledger: journal entries with balanced lines (signed minor units), customer
 * balances with a version for optimistic concurrency, and the check that the books add up.
 * Every posting runs in the caller's transaction, beside the state change it records.
 * See docs/ledger.md.
 */
export { ACCOUNTS, ENTRY_KINDS } from './accounts.ts';
export type { Account, EntryKind } from './accounts.ts';
export {
  assertBalanced, balanceDelta, creditAppliedEntry, creditNoteEntry, invoiceEntry, paymentEntry, refundCompensationEntry,
  refundIntentEntry, refundPaidEntry, repaymentEntry,
} from './entries.ts';
export type { JournalEntry, JournalLine } from './entries.ts';
export { postEntries, getBalance, balanceDeltas } from './post.ts';
export type { CustomerBalance, PostOptions } from './post.ts';
export { postInvoiceJournal } from './invoice-journal.ts';
export type { IssuedForJournal } from './invoice-journal.ts';
export { checkLedger } from './check.ts';
export type { LedgerCheck, LedgerReport } from './check.ts';
