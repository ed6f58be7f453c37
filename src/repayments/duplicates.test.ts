import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, findDuplicate } from './duplicates.ts';

const base = { amountMinor: 500000, currency: 'INR', channel: 'upi', externalRef: null, receivedAtMs: Date.parse('2026-12-05T10:00:00Z') };
const MIN = 60_000;

describe('repayment duplicates', () => {
  it('blocks the same external reference at any distance in time', () => {
    const d = findDuplicate({ ...base, externalRef: 'UTR1', receivedAtMs: base.receivedAtMs + 30 * 86_400_000 }, [{ ...base, id: 1, externalRef: 'UTR1' }], 10 * MIN);
    assert.deepEqual(d, { duplicate: true, of: 1, reason: 'same_external_ref' });
  });
  it('blocks same amount and channel within the window when a reference is missing', () => {
    assert.equal(findDuplicate({ ...base, receivedAtMs: base.receivedAtMs + 9 * MIN }, [{ ...base, id: 2 }], 10 * MIN).duplicate, true);
    assert.equal(findDuplicate({ ...base, receivedAtMs: base.receivedAtMs + 11 * MIN }, [{ ...base, id: 2 }], 10 * MIN).duplicate, false);
    assert.equal(findDuplicate({ ...base, channel: 'bank_transfer' }, [{ ...base, id: 2 }], 10 * MIN).duplicate, false);
  });
  it('never blocks two equal payments with different references', () => {
    assert.deepEqual(findDuplicate({ ...base, externalRef: 'UTR2' }, [{ ...base, id: 3, externalRef: 'UTR1' }], 10 * MIN), { duplicate: false });
  });
  it('pays open invoices oldest first, in full, and leaves the rest as credit', () => {
    assert.deepEqual(allocate(1500, [{ id: 1, totalMinor: 1000 }, { id: 2, totalMinor: 1000 }]), { invoiceIds: [1], appliedMinor: 1000, excessMinor: 500 });
    assert.deepEqual(allocate(2000, [{ id: 1, totalMinor: 1000 }, { id: 2, totalMinor: 1000 }]), { invoiceIds: [1, 2], appliedMinor: 2000, excessMinor: 0 });
    assert.deepEqual(allocate(500, [{ id: 1, totalMinor: 1000 }]), { invoiceIds: [], appliedMinor: 0, excessMinor: 500 });
  });
});
