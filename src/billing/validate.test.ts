import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Catalog, CustomerInput, InvoiceDraft, InvoiceLineDraft } from './types.ts';
import { validateInvoice } from './validate.ts';

const CATALOG: Catalog = {
  currencies: new Map([['INR', { code: 'INR', exponent: 2 }]]),
  taxRegions: new Map([['IN-MH', { code: 'IN-MH', country: 'IN', kind: 'gst', inclusive: false, rates: [] }]]),
  legalEntities: new Map(),
  plans: new Map(),
  coupons: new Map(),
  products: new Map(),
};

const CUSTOMER: CustomerInput = {
  id: 1, name: 'Acme', currency: 'INR', country: 'IN', taxRegion: 'IN-MH', locale: 'en', legalEntityId: 'bf-in',
  status: 'active', billingAnchorDay: 1, subscriptions: [], usage: [], loans: [], oneOffs: [], coupons: [],
};

function line(lineNo: number, amountMinor: number, discountMinor: number, cgst: number): InvoiceLineDraft {
  const taxMinor = cgst * 2;
  return {
    lineNo, kind: 'one_off', description: 'Widget', productId: 'widget', quantity: 1, unitAmountMinor: amountMinor,
    amountMinor, discountMinor, taxMinor, totalMinor: amountMinor - discountMinor + taxMinor, serviceStart: null, serviceEnd: null, loanId: null, installmentSeq: null,
    taxBreakdown: [
      { name: 'CGST', ratePercent: '9', amountMinor: cgst },
      { name: 'SGST', ratePercent: '9', amountMinor: cgst },
    ],
  };
}

/** A consistent two-line draft: 1000 − 100 + 162 and 500 − 0 + 90. */
function draft(): InvoiceDraft {
  return {
    customerId: 1, period: '2026-11', source: 'cycle', legalEntityId: 'bf-in', currency: 'INR',
    subtotalMinor: 1500, discountMinor: 100, taxMinor: 252, totalMinor: 1652,
    taxBreakdown: [
      { name: 'CGST', ratePercent: '9', amountMinor: 126 },
      { name: 'SGST', ratePercent: '9', amountMinor: 126 },
    ],
    issueDate: '2026-12-01', dueDate: '2026-12-16', periodStart: '2026-11-01', periodEnd: '2026-12-01', isCreditNote: false,
    lines: [line(1, 1000, 100, 81), line(2, 500, 0, 45)],
  };
}

const codes = (d: InvoiceDraft, c: CustomerInput = CUSTOMER) => validateInvoice(d, c, CATALOG).map((r) => [r.code, r.field]);

test('a consistent draft has no reasons', () => {
  assert.deepEqual(codes(draft()), []);
});

test('negative_total, unless it is a credit note', () => {
  const d = draft();
  d.lines = [line(1, -1000, 0, -90)];
  Object.assign(d, { subtotalMinor: -1000, discountMinor: 0, taxMinor: -180, totalMinor: -1180 });
  d.taxBreakdown = [{ name: 'CGST', ratePercent: '9', amountMinor: -90 }, { name: 'SGST', ratePercent: '9', amountMinor: -90 }];
  d.lines[0]!.discountMinor = 0;
  assert.deepEqual(codes(d), [['negative_total', 'totalMinor']]);
  assert.deepEqual(codes({ ...d, isCreditNote: true }), []);
});

test('unsupported_currency and missing_tax_region (null or unknown)', () => {
  assert.deepEqual(codes({ ...draft(), currency: 'XYZ' }), [['unsupported_currency', 'customer.currency']]);
  assert.deepEqual(codes(draft(), { ...CUSTOMER, taxRegion: null }), [['missing_tax_region', 'customer.taxRegion']]);
  assert.deepEqual(codes(draft(), { ...CUSTOMER, taxRegion: 'IN-ZZ' }), [['missing_tax_region', 'customer.taxRegion']]);
});

test('refund_without_payment: only refunds inside the invoice window', () => {
  const refund = {
    id: 9, kind: 'refund' as const, productId: 'widget', productName: 'Refund', quantity: 1, unitPriceMinor: -100, currency: 'INR',
    chargedOn: '2026-11-10', originalPaymentId: null, originalPaymentExists: false,
  };
  const customer = {
    ...CUSTOMER,
    oneOffs: [
      { ...refund, kind: 'charge' as const, unitPriceMinor: 100 }, // a charge needs no payment
      refund,
      { ...refund, originalPaymentId: 5 }, // points at a payment that does not exist
      { ...refund, originalPaymentId: 6, originalPaymentExists: true },
      { ...refund, chargedOn: '2026-12-01' }, // next window
    ],
  };
  assert.deepEqual(codes(draft(), customer), [
    ['refund_without_payment', 'oneOffs[1].originalPaymentId'],
    ['refund_without_payment', 'oneOffs[2].originalPaymentId'],
  ]);
});

test('sanity: totals that do not add up are caught, field by field', () => {
  const d = draft();
  d.subtotalMinor = 1499;
  d.totalMinor = 1651; // consistent with the wrong subtotal, not with the lines
  assert.deepEqual(codes(d), [['totals_mismatch', 'subtotalMinor'], ['totals_mismatch', 'totalMinor']]);
  const t = draft();
  t.lines[1]!.totalMinor += 1;
  assert.deepEqual(codes(t), [['totals_mismatch', 'lines[1].totalMinor'], ['totals_mismatch', 'totalMinor']]);
  const b = draft();
  b.lines[0]!.taxBreakdown![0]!.amountMinor += 1;
  assert.deepEqual(codes(b), [['totals_mismatch', 'lines[0].taxBreakdown']]);
  const s = draft();
  s.taxBreakdown[0]!.amountMinor += 1;
  assert.deepEqual(codes(s), [['totals_mismatch', 'taxBreakdown']]);
});

test('sanity: unsafe amounts, bad numbering, discounts outside 0..amount', () => {
  const u = draft();
  u.lines[0]!.amountMinor = 0.5;
  assert.deepEqual(codes(u)[0], ['unsafe_amount', 'lines[0]']);
  const big = draft();
  big.totalMinor = 2 ** 53;
  assert.deepEqual(codes(big), [['unsafe_amount', 'totalMinor']]);
  const n = draft();
  n.lines[1]!.lineNo = 3;
  assert.deepEqual(codes(n), [['line_numbering', 'lines[1].lineNo']]);
  const over = draft();
  over.lines[1] = line(2, 500, 600, 0);
  over.lines[1].taxBreakdown = null;
  Object.assign(over, { discountMinor: 700, taxMinor: 162, totalMinor: 962 });
  over.taxBreakdown = [{ name: 'CGST', ratePercent: '9', amountMinor: 81 }, { name: 'SGST', ratePercent: '9', amountMinor: 81 }];
  assert.deepEqual(codes(over), [['invalid_discount', 'lines[1].discountMinor']]);
});
