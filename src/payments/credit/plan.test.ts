import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planCreditApplication } from './plan.ts';

const open = [{ id: 1, dueMinor: 1000 }, { id: 2, dueMinor: 2500 }, { id: 3, dueMinor: 700 }];

describe('planCreditApplication', () => {
  it('pays whole invoices oldest first, then part of the next', () => {
    assert.deepEqual(planCreditApplication(1800, open), {
      applications: [{ invoiceId: 1, amountMinor: 1000, paidInFull: true }, { invoiceId: 2, amountMinor: 800, paidInFull: false }],
      appliedMinor: 1800, leftMinor: 0,
    });
  });
  it('leaves what is more than everything owed as credit', () => {
    const plan = planCreditApplication(5000, open);
    assert.deepEqual(plan.applications.map((a) => [a.invoiceId, a.amountMinor, a.paidInFull]), [[1, 1000, true], [2, 2500, true], [3, 700, true]]);
    assert.deepEqual([plan.appliedMinor, plan.leftMinor], [4200, 800]);
  });
  it('covers exactly one invoice with exactly its due', () => {
    assert.deepEqual(planCreditApplication(1000, open).applications, [{ invoiceId: 1, amountMinor: 1000, paidInFull: true }]);
  });
  it('applies part of the oldest invoice when the credit is smaller than it', () => {
    assert.deepEqual(planCreditApplication(1, open), { applications: [{ invoiceId: 1, amountMinor: 1, paidInFull: false }], appliedMinor: 1, leftMinor: 0 });
  });
  it('applies nothing without credit or without open invoices, and skips invoices with nothing due', () => {
    assert.deepEqual(planCreditApplication(0, open), { applications: [], appliedMinor: 0, leftMinor: 0 });
    assert.deepEqual(planCreditApplication(-50, open), { applications: [], appliedMinor: 0, leftMinor: 0 });
    assert.deepEqual(planCreditApplication(900, []), { applications: [], appliedMinor: 0, leftMinor: 900 });
    assert.deepEqual(planCreditApplication(900, [{ id: 9, dueMinor: 0 }, { id: 10, dueMinor: 400 }]).applications, [{ invoiceId: 10, amountMinor: 400, paidInFull: true }]);
  });
});
