import { assert } from '../errors.ts';
import type { Account, EntryKind } from './accounts.ts';

/**
 * Pure construction of journal entries: amounts are signed minor units (debit > 0, credit < 0),
 * zero lines are dropped, and every entry is checked balanced per currency before it leaves here
 * (the database checks again, see migration 0005).
 */
export interface JournalLine {
  account: Account;
  customerId: number | null;
  currency: string;
  amountMinor: number;
}

export interface JournalEntry {
  kind: EntryKind;
  refId: number;
  customerId: number | null;
  currency: string;
  lines: JournalLine[];
}

export function assertBalanced(entry: JournalEntry): void {
  const sums = new Map<string, number>();
  for (const l of entry.lines) {
    assert(Number.isSafeInteger(l.amountMinor), `journal amount ${l.amountMinor} is not a safe integer`);
    sums.set(l.currency, (sums.get(l.currency) ?? 0) + l.amountMinor);
  }
  for (const [currency, sum] of sums) assert(sum === 0, `${entry.kind} ${entry.refId} is unbalanced in ${currency} by ${sum}`);
}

function entry(kind: EntryKind, refId: number, customerId: number, currency: string, parts: [Account, number][]): JournalEntry {
  const lines = parts
    .filter(([, amountMinor]) => amountMinor !== 0)
    .map(([account, amountMinor]) => ({ account, customerId, currency, amountMinor }));
  const e = { kind, refId, customerId, currency, lines };
  assertBalanced(e);
  return e;
}

/** Invoice issued: receivable Dr total / revenue Cr (total − tax) / tax payable Cr tax. */
export function invoiceEntry(i: { id: number; customerId: number; currency: string; totalMinor: number; taxMinor: number }): JournalEntry {
  return entry('invoice', i.id, i.customerId, i.currency, [
    ['receivable', i.totalMinor], ['revenue', -(i.totalMinor - i.taxMinor)], ['tax_payable', -i.taxMinor],
  ]);
}

/** A collected payment of an invoice: cash Dr / receivable Cr. */
export function paymentEntry(p: { id: number; customerId: number; currency: string; amountMinor: number }): JournalEntry {
  assert(p.amountMinor > 0, 'a payment is positive');
  return entry('payment', p.id, p.customerId, p.currency, [['cash', p.amountMinor], ['receivable', -p.amountMinor]]);
}

/**
 * Money a customer sent (a repayment): cash Dr amount / receivable Cr the part applied to what
 * they owe / customer credit Cr the excess.
 */
export function repaymentEntry(r: { id: number; customerId: number; currency: string; amountMinor: number; appliedMinor: number }): JournalEntry {
  assert(r.amountMinor > 0 && r.appliedMinor >= 0 && r.appliedMinor <= r.amountMinor, 'repayment split within its amount');
  return entry('repayment', r.id, r.customerId, r.currency, [
    ['cash', r.amountMinor], ['receivable', -r.appliedMinor], ['customer_credit', -(r.amountMinor - r.appliedMinor)],
  ]);
}

/**
 * The refund saga of customer credit, one entry per step: the intent moves the credit to refunds
 * in transit; the provider's refund pays it out in cash; a failed refund is compensated back to
 * the customer's credit.
 */
export function refundIntentEntry(r: { id: number; customerId: number; currency: string; amountMinor: number }): JournalEntry {
  assert(r.amountMinor > 0, 'a refund is positive');
  return entry('refund_intent', r.id, r.customerId, r.currency, [['customer_credit', r.amountMinor], ['refunds_in_transit', -r.amountMinor]]);
}
export function refundPaidEntry(r: { id: number; customerId: number; currency: string; amountMinor: number }): JournalEntry {
  return entry('refund', r.id, r.customerId, r.currency, [['refunds_in_transit', r.amountMinor], ['cash', -r.amountMinor]]);
}
export function refundCompensationEntry(r: { id: number; customerId: number; currency: string; amountMinor: number }): JournalEntry {
  return entry('refund_compensation', r.id, r.customerId, r.currency, [['refunds_in_transit', r.amountMinor], ['customer_credit', -r.amountMinor]]);
}

/** Customer credit used against an invoice: customer credit Dr / receivable Cr. */
export function creditAppliedEntry(r: { id: number; customerId: number; currency: string; amountMinor: number }): JournalEntry {
  assert(r.amountMinor > 0, 'applied credit is positive');
  return entry('credit_applied', r.id, r.customerId, r.currency, [['customer_credit', r.amountMinor], ['receivable', -r.amountMinor]]);
}

/**
 * A credit note against an invoice reverses its revenue and tax: refunds (contra-revenue) Dr net /
 * tax payable Dr tax; and settles the total: receivable Cr the part the customer still owed on
 * the invoice (its amount due falls), customer credit Cr the rest (the invoice was paid).
 */
export function creditNoteEntry(c: { id: number; customerId: number; currency: string; totalMinor: number; taxMinor: number; receivableMinor: number }): JournalEntry {
  assert(c.totalMinor > 0 && c.receivableMinor >= 0 && c.receivableMinor <= c.totalMinor, 'credit note split within its total');
  return entry('credit_note', c.id, c.customerId, c.currency, [
    ['refunds', c.totalMinor - c.taxMinor], ['tax_payable', c.taxMinor],
    ['receivable', -c.receivableMinor], ['customer_credit', -(c.totalMinor - c.receivableMinor)],
  ]);
}

/** How an entry moves a customer's balances (customer_balances). */
export function balanceDelta(e: JournalEntry): { receivableMinor: number; creditMinor: number } {
  let receivableMinor = 0;
  let creditMinor = 0;
  for (const l of e.lines) {
    if (l.customerId === null) continue;
    if (l.account === 'receivable') receivableMinor += l.amountMinor;
    else if (l.account === 'customer_credit') creditMinor -= l.amountMinor;
  }
  return { receivableMinor, creditMinor };
}
