/** The chart of accounts (rows of ledger_accounts, migration 0005). */
export const ACCOUNTS = ['receivable', 'cash', 'revenue', 'tax_payable', 'customer_credit', 'refunds', 'refunds_in_transit'] as const;
export type Account = (typeof ACCOUNTS)[number];

export const ENTRY_KINDS = ['invoice', 'payment', 'repayment', 'refund_intent', 'refund', 'refund_compensation', 'credit_note', 'credit_applied'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];
