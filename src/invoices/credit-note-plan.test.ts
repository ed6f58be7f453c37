import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import { amountDueMinor, planCreditNote, type CreditableInvoice, type CreditNotePlan, type EarlierCredits } from './credit-note-plan.ts';

/** 3 seats × 100.00 and a setup fee of 50.00 with a 10.00 discount; CGST 9% + SGST 9% per line. */
function invoice(over: Partial<CreditableInvoice> = {}): CreditableInvoice {
  const gst = (net: number) => [{ name: 'CGST', ratePercent: '9', amountMinor: Math.round(net * 0.09) }, { name: 'SGST', ratePercent: '9', amountMinor: Math.round(net * 0.09) }];
  const lines = [
    { lineNo: 1, description: 'Seat', quantity: 3, unitAmountMinor: 10000, amountMinor: 30000, discountMinor: 0, taxMinor: 5400, totalMinor: 35400, taxBreakdown: gst(30000) },
    { lineNo: 2, description: 'Setup', quantity: 1, unitAmountMinor: 5000, amountMinor: 5000, discountMinor: 1000, taxMinor: 720, totalMinor: 4720, taxBreakdown: gst(4000) },
    { lineNo: 3, description: 'Refund', quantity: 1, unitAmountMinor: -2000, amountMinor: -2000, discountMinor: 0, taxMinor: 0, totalMinor: -2000, taxBreakdown: null },
  ];
  return {
    id: 1, number: 'BFIN-2026-000001', status: 'issued', paymentStatus: 'pending', paymentInFlight: false, currency: 'INR', issueDate: '2026-12-01',
    totalMinor: 38120, taxMinor: 6120, creditedMinor: 0, creditAppliedMinor: 0,
    taxBreakdown: [{ name: 'CGST', ratePercent: '9', amountMinor: 3060 }, { name: 'SGST', ratePercent: '9', amountMinor: 3060 }],
    lines, ...over,
  };
}

const none = (): EarlierCredits => ({ taxBreakdown: [], quantityByLine: new Map() });

/** Applies a plan to the invoice and the earlier credits, as the database would. */
function apply(inv: CreditableInvoice, earlier: EarlierCredits, plan: CreditNotePlan): void {
  inv.creditedMinor += plan.totalMinor;
  earlier.taxBreakdown.push(...plan.taxBreakdown);
  for (const l of plan.lines) if (l.invoiceLineNo !== null) earlier.quantityByLine.set(l.invoiceLineNo, (earlier.quantityByLine.get(l.invoiceLineNo) ?? 0) + l.quantity);
}

function refusal(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (e: BillflowError) => {
    assert.equal(e.code, code);
    assert.equal(e.details[0]?.field, field);
    return true;
  });
}

describe('planCreditNote', () => {
  it('a full credit mirrors every line, negative ones included, to the unit', () => {
    const plan = planCreditNote(invoice(), none(), { mode: 'full' }, 'cancelled');
    assert.deepEqual([plan.totalMinor, plan.taxMinor, plan.subtotalMinor, plan.discountMinor], [38120, 6120, 33000, 1000]);
    assert.deepEqual(plan.lines.map((l) => [l.invoiceLineNo, l.quantity, l.totalMinor]), [[1, 3, 35400], [2, 1, 4720], [3, 1, -2000]]);
    assert.deepEqual(plan.taxBreakdown.map((t) => t.amountMinor), [3060, 3060]);
    assert.deepEqual([plan.receivableMinor, plan.customerCreditMinor], [38120, 0]);
  });

  it('credits line quantities cumulatively: three credits of one seat add up to the line exactly', () => {
    const inv = invoice({ lines: [{ ...invoice().lines[0]!, amountMinor: 10000, unitAmountMinor: 3333, taxMinor: 1800, totalMinor: 11800, taxBreakdown: [{ name: 'CGST', ratePercent: '9', amountMinor: 900 }, { name: 'SGST', ratePercent: '9', amountMinor: 900 }] }], totalMinor: 11800, taxMinor: 1800 });
    const earlier = none();
    const plans = [0, 1, 2].map(() => {
      const p = planCreditNote(inv, earlier, { mode: 'lines', lines: [{ lineNo: 1, quantity: 1 }] }, 'seat');
      apply(inv, earlier, p);
      return p;
    });
    assert.deepEqual(plans.map((p) => p.lines[0]!.amountMinor), [3333, 3334, 3333]);
    assert.equal(plans.reduce((s, p) => s + p.totalMinor, 0), 11800);
    assert.equal(plans.reduce((s, p) => s + p.taxMinor, 0), 1800);
    refusal(() => planCreditNote(inv, earlier, { mode: 'lines', lines: [{ lineNo: 1, quantity: 1 }] }, 'x'), 'credit_exceeds_invoice', 'lines');
  });

  it('reverses tax in proportion for amounts, and a completing credit takes exactly what is left', () => {
    const inv = invoice();
    const earlier = none();
    for (const amount of [1, 7, 999, 12345]) apply(inv, earlier, planCreditNote(inv, earlier, { mode: 'amount', amountMinor: amount }, 'goodwill'));
    const first = planCreditNote(invoice(), none(), { mode: 'amount', amountMinor: 12345 }, 'g');
    assert.equal(first.taxMinor, 1982); // per component: 3060 × 12345 / 38120 = 990.97 → 991, twice
    const rest = planCreditNote(inv, earlier, { mode: 'full' }, 'rest');
    apply(inv, earlier, rest);
    assert.equal(inv.creditedMinor, 38120);
    const taxes = new Map<string, number>();
    for (const t of earlier.taxBreakdown) taxes.set(t.name, (taxes.get(t.name) ?? 0) + t.amountMinor);
    assert.deepEqual([...taxes], [['CGST', 3060], ['SGST', 3060]]);
  });

  it('settles off the amount due while unpaid, to customer credit once paid', () => {
    assert.equal(planCreditNote(invoice({ paymentStatus: 'failed' }), none(), { mode: 'amount', amountMinor: 500 }, 'x').receivableMinor, 500);
    const paid = planCreditNote(invoice({ paymentStatus: 'paid' }), none(), { mode: 'amount', amountMinor: 500 }, 'x');
    assert.deepEqual([paid.receivableMinor, paid.customerCreditMinor], [0, 500]);
    assert.equal(amountDueMinor({ paymentStatus: 'pending', totalMinor: 100, creditedMinor: 30, creditAppliedMinor: 0 }), 70);
    assert.equal(amountDueMinor({ paymentStatus: 'paid', totalMinor: 100, creditedMinor: 30, creditAppliedMinor: 0 }), 0);
    assert.equal(amountDueMinor({ paymentStatus: 'pending', totalMinor: 100, creditedMinor: 30, creditAppliedMinor: 50 }), 20);
    assert.equal(amountDueMinor({ paymentStatus: 'failed', totalMinor: 100, creditedMinor: 60, creditAppliedMinor: 50 }), 0);
  });

  it('takes off at most what is still owed when credit paid part of the invoice; the rest goes back to credit', () => {
    // 38120 owed, 10000 of it paid by customer credit: 28120 still due.
    const part = planCreditNote(invoice({ creditAppliedMinor: 10000 }), none(), { mode: 'amount', amountMinor: 30000 }, 'x');
    assert.deepEqual([part.totalMinor, part.receivableMinor, part.customerCreditMinor], [30000, 28120, 1880]);
    const within = planCreditNote(invoice({ creditAppliedMinor: 10000 }), none(), { mode: 'amount', amountMinor: 20000 }, 'x');
    assert.deepEqual([within.receivableMinor, within.customerCreditMinor], [20000, 0]);
    // What can be credited stays the total less earlier credit notes: applied credit does not shrink it.
    const full = planCreditNote(invoice({ creditAppliedMinor: 10000 }), none(), { mode: 'full' }, 'x');
    assert.deepEqual([full.totalMinor, full.receivableMinor, full.customerCreditMinor], [38120, 28120, 10000]);
  });

  it('refuses with the field named', () => {
    refusal(() => planCreditNote(invoice(), none(), { mode: 'amount', amountMinor: 38121 }, 'x'), 'credit_exceeds_invoice', 'amountMinor');
    refusal(() => planCreditNote(invoice(), none(), { mode: 'lines', lines: [{ lineNo: 1, quantity: 4 }] }, 'x'), 'credit_exceeds_invoice', 'lines[0].quantity');
    refusal(() => planCreditNote(invoice(), none(), { mode: 'lines', lines: [{ lineNo: 3, quantity: 1 }] }, 'x'), 'invalid_input', 'lines[0].lineNo');
    refusal(() => planCreditNote(invoice(), none(), { mode: 'lines', lines: [{ lineNo: 1, quantity: 1 }, { lineNo: 1, quantity: 1 }] }, 'x'), 'invalid_input', 'lines[1].lineNo');
    refusal(() => planCreditNote(invoice(), none(), { mode: 'lines', lines: [{ lineNo: 4, quantity: 1 }] }, 'x'), 'invoice_line_not_found', 'lines[0].lineNo');
    refusal(() => planCreditNote(invoice({ status: 'void' }), none(), { mode: 'full' }, 'x'), 'invoice_not_creditable', 'invoiceId');
    refusal(() => planCreditNote(invoice({ paymentInFlight: true }), none(), { mode: 'full' }, 'x'), 'payment_in_progress', 'invoiceId');
    refusal(() => planCreditNote(invoice({ creditedMinor: 38120 }), none(), { mode: 'full' }, 'x'), 'credit_exceeds_invoice', 'full');
  });
});
