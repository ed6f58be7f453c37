import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertBalanced, balanceDelta, creditNoteEntry, refundIntentEntry, invoiceEntry, paymentEntry, repaymentEntry } from './entries.ts';

describe('journal entries', () => {
  it('posts an invoice as receivable Dr / revenue Cr / tax payable Cr', () => {
    const e = invoiceEntry({ id: 7, customerId: 3, currency: 'INR', totalMinor: 106082, taxMinor: 16182 });
    assert.deepEqual(e.lines.map((l) => [l.account, l.amountMinor]), [['receivable', 106082], ['revenue', -89900], ['tax_payable', -16182]]);
    assert.deepEqual(balanceDelta(e), { receivableMinor: 106082, creditMinor: 0 });
  });
  it('leaves zero lines out (untaxed invoice)', () => {
    const e = invoiceEntry({ id: 1, customerId: 1, currency: 'JPY', totalMinor: 500, taxMinor: 0 });
    assert.deepEqual(e.lines.map((l) => l.account), ['receivable', 'revenue']);
  });
  it('splits a repayment into the amount applied and customer credit', () => {
    const e = repaymentEntry({ id: 1, customerId: 2, currency: 'INR', amountMinor: 1500, appliedMinor: 1000 });
    assert.deepEqual(e.lines.map((l) => [l.account, l.amountMinor]), [['cash', 1500], ['receivable', -1000], ['customer_credit', -500]]);
    assert.deepEqual(balanceDelta(e), { receivableMinor: -1000, creditMinor: 500 });
    assert.deepEqual(balanceDelta(refundIntentEntry({ id: 2, customerId: 2, currency: 'INR', amountMinor: 500 })), { receivableMinor: 0, creditMinor: -500 });
  });
  it('reverses a credit note against revenue and tax, settled off the receivable and the rest as customer credit', () => {
    const e = creditNoteEntry({ id: 4, customerId: 2, currency: 'INR', totalMinor: 11800, taxMinor: 1800, receivableMinor: 5000 });
    assert.deepEqual(e.lines.map((l) => [l.account, l.amountMinor]), [['refunds', 10000], ['tax_payable', 1800], ['receivable', -5000], ['customer_credit', -6800]]);
    assert.deepEqual(balanceDelta(e), { receivableMinor: -5000, creditMinor: 6800 });
    assert.throws(() => creditNoteEntry({ id: 5, customerId: 2, currency: 'INR', totalMinor: 100, taxMinor: 0, receivableMinor: 101 }), /split within/);
  });
  it('refuses unbalanced entries and non-positive payments', () => {
    assert.throws(() => assertBalanced({ kind: 'payment', refId: 1, customerId: 1, currency: 'USD', lines: [
      { account: 'cash', customerId: 1, currency: 'USD', amountMinor: 100 },
      { account: 'receivable', customerId: 1, currency: 'USD', amountMinor: -99 },
    ] }), /unbalanced in USD by 1/);
    assert.throws(() => paymentEntry({ id: 1, customerId: 1, currency: 'USD', amountMinor: 0 }), /positive/);
  });
});
