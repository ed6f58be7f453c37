import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeEmiMinor, installmentSchedule } from '../loans/emi.ts';
import { computeInvoice } from './compute.ts';
import type {
  Catalog, ComputeContext, ComputeResult, CouponInfo, CustomerInput, InvoiceDraft, LoanInput, OneOffInput,
  PlanChargeInfo, PlanInfo, TaxRegionInfo,
} from './types.ts';

// ── a small hand-built catalog ──

const GST: TaxRegionInfo['rates'] = [
  { name: 'CGST', ratePercent: '9', scope: 'intra' },
  { name: 'SGST', ratePercent: '9', scope: 'intra' },
  { name: 'IGST', ratePercent: '18', scope: 'inter' },
];
const region = (code: string, kind: TaxRegionInfo['kind'], inclusive: boolean, rates: TaxRegionInfo['rates']): [string, TaxRegionInfo] =>
  [code, { code, country: code.slice(0, 2), kind, inclusive, rates }];

function charge(id: string, position: number, productName: string, metricCode: string | null, prices: PlanChargeInfo['prices'], aggregation: PlanChargeInfo['aggregation'] = null): PlanChargeInfo {
  return { id, productId: id, productName, taxExempt: false, metricCode, aggregation, position, prices };
}

// Charges listed out of position order on purpose: lines follow `position`.
const PRO: PlanInfo = {
  id: 'pro', name: 'Pro', trialDays: 0,
  charges: [
    charge('pro_seats', 2, 'seats', 'seats', new Map([['INR', { model: 'per_unit', unitAmount: 20000 }]]), 'max'),
    charge('pro_base', 0, 'base fee', null, new Map([['INR', { model: 'flat', amount: 99900 }], ['USD', { model: 'flat', amount: 4900 }]])),
    charge('pro_api', 1, 'API calls', 'api_calls', new Map([['INR', { model: 'graduated', tiers: [
      { upTo: 1000, unitAmount: 0, flatAmount: 0 },
      { upTo: null, unitAmount: 10, flatAmount: 0 },
    ] }]]), 'sum'),
  ],
};
const BASIC: PlanInfo = {
  id: 'basic', name: 'Basic', trialDays: 0,
  charges: [
    charge('basic_base', 0, 'base fee', null, new Map([['INR', { model: 'flat', amount: 30000 }]])),
    charge('basic_api', 1, 'API calls', 'api_calls', new Map([['INR', { model: 'per_unit', unitAmount: 20 }]]), 'sum'),
  ],
};

const coupon = (id: string, c: Partial<CouponInfo>): [string, CouponInfo] =>
  [id, { id, name: id, kind: 'percentage', percent: null, amountMinor: null, currency: null, durationPeriods: null, ...c }];

const CATALOG: Catalog = {
  currencies: new Map(['INR', 'USD', 'GBP'].map((code) => [code, { code, exponent: 2 }])),
  taxRegions: new Map([
    region('IN-MH', 'gst', false, GST),
    region('IN-KA', 'gst', false, GST),
    region('GB', 'vat', true, [{ name: 'VAT', ratePercent: '20', scope: 'all' }]),
    region('US-NY', 'sales', false, [{ name: 'Sales tax', ratePercent: '4', scope: 'all' }]),
  ]),
  legalEntities: new Map([
    ['bf-in', { id: 'bf-in', name: 'Billflow India', country: 'IN', taxRegion: 'IN-MH', numberPrefix: 'BIN' }],
    ['bf-uk', { id: 'bf-uk', name: 'Billflow UK', country: 'GB', taxRegion: 'GB', numberPrefix: 'BUK' }],
  ]),
  plans: new Map([['pro', PRO], ['basic', BASIC]]),
  coupons: new Map([
    coupon('WELCOME10', { kind: 'percentage', percent: '10', durationPeriods: 3 }),
    coupon('FLAT12', { kind: 'fixed', amountMinor: 1200, currency: 'GBP' }),
    coupon('USD5', { kind: 'fixed', amountMinor: 500, currency: 'USD' }),
  ]),
  products: new Map([
    ['late_fee', { id: 'late_fee', name: 'Late fee', taxExempt: false }],
    ['insurance', { id: 'insurance', name: 'Insurance', taxExempt: true }],
    ['widget', { id: 'widget', name: 'Widget', taxExempt: false }],
  ]),
};

// November 2026 with anchor day 1: window [2026-11-01, 2026-12-01), 30 days.
const CTX: ComputeContext = { catalog: CATALOG, period: '2026-11', netTermsDays: 15, issueDate: '2026-12-01' };

function customer(extra: Partial<CustomerInput>): CustomerInput {
  return {
    id: 1, name: 'Acme', currency: 'INR', country: 'IN', taxRegion: 'IN-MH', locale: 'en-IN', legalEntityId: 'bf-in',
    status: 'active', billingAnchorDay: 1, subscriptions: [], usage: [], loans: [], oneOffs: [], coupons: [], ...extra,
  };
}

function oneOff(id: number, extra: Partial<OneOffInput>): OneOffInput {
  return {
    id, kind: 'charge', productId: 'widget', productName: 'Widget', quantity: 1, unitPriceMinor: 1000, currency: 'INR',
    chargedOn: '2026-11-10', originalPaymentId: null, originalPaymentExists: false, ...extra,
  };
}

function okInvoice(result: ComputeResult): InvoiceDraft {
  assert.equal(result.status, 'ok', JSON.stringify(result.status === 'invalid' ? result.reasons : result));
  return (result as { invoice: InvoiceDraft }).invoice;
}

/** [kind, description, quantity, amount, discount, tax, total] per line. */
const lineRows = (draft: InvoiceDraft) =>
  draft.lines.map((l) => [l.kind, l.description, l.quantity, l.amountMinor, l.discountMinor, l.taxMinor, l.totalMinor]);

// ── SaaS: prorated base fee + metered charges + 10% coupon + GST (intra-state) ──

test('SaaS customer: prorated base fee, graduated and max-aggregated usage, 10% coupon, CGST+SGST', () => {
  const saas = customer({
    subscriptions: [{ id: 10, planId: 'pro', startedOn: '2026-11-19', trialEndsOn: null, endedOn: null }],
    usage: [
      { metricCode: 'api_calls', sum: 1500, max: 40, uniqueCount: 7 },
      { metricCode: 'seats', sum: 90, max: 3, uniqueCount: 3 },
    ],
    coupons: [{ couponId: 'WELCOME10', appliedFrom: '2026-11-01' }],
  });
  const invoice = okInvoice(computeInvoice(saas, CTX));
  // Base: ₹999.00 × 12/30 = ₹399.60. API: 1000 free + 500 × 10 paise = ₹50.00. Seats: max 3 × ₹200.
  // Coupon 10% per line; GST 9% + 9% on (amount − discount), rounded per component:
  // 35964 × 9% = 3236.76 → 3237 (×2); 4500 → 405 (×2); 54000 → 4860 (×2).
  assert.deepEqual(lineRows(invoice), [
    ['subscription', 'Pro plan — base fee (12/30 days)', 1, 39960, 3996, 6474, 42438],
    ['usage', 'Pro plan — API calls', 1500, 5000, 500, 810, 5310],
    ['usage', 'Pro plan — seats', 3, 60000, 6000, 9720, 63720],
  ]);
  assert.deepEqual(invoice.lines[0]?.taxBreakdown, [
    { name: 'CGST', ratePercent: '9', amountMinor: 3237 },
    { name: 'SGST', ratePercent: '9', amountMinor: 3237 },
  ]);
  assert.deepEqual(
    [invoice.subtotalMinor, invoice.discountMinor, invoice.taxMinor, invoice.totalMinor],
    [104960, 10496, 17004, 111468],
  );
  assert.deepEqual(invoice.taxBreakdown, [
    { name: 'CGST', ratePercent: '9', amountMinor: 8502 },
    { name: 'SGST', ratePercent: '9', amountMinor: 8502 },
  ]);
  assert.deepEqual(
    [invoice.issueDate, invoice.dueDate, invoice.periodStart, invoice.periodEnd, invoice.source, invoice.isCreditNote],
    ['2026-12-01', '2026-12-16', '2026-11-01', '2026-12-01', 'cycle', false],
  );
  assert.deepEqual(invoice.lines.map((l) => l.lineNo), [1, 2, 3]);
  assert.deepEqual([invoice.lines[0]?.serviceStart, invoice.lines[0]?.serviceEnd], ['2026-11-19', '2026-12-01']);
});

test('SaaS customer in another state pays IGST; the coupon has expired after 3 periods', () => {
  const saas = customer({
    taxRegion: 'IN-KA',
    subscriptions: [{ id: 10, planId: 'pro', startedOn: '2026-01-01', trialEndsOn: null, endedOn: null }],
    coupons: [{ couponId: 'WELCOME10', appliedFrom: '2026-08-01' }], // Aug, Sep, Oct
  });
  const invoice = okInvoice(computeInvoice(saas, CTX));
  assert.deepEqual(lineRows(invoice), [
    ['subscription', 'Pro plan — base fee', 1, 99900, 0, 17982, 117882],
    ['usage', 'Pro plan — API calls', 0, 0, 0, 0, 0], // no usage: still a line, quantity 0
    ['usage', 'Pro plan — seats', 0, 0, 0, 0, 0],
  ]);
  assert.deepEqual(invoice.taxBreakdown, [{ name: 'IGST', ratePercent: '18', amountMinor: 17982 }]);
});

test('plan change mid-window: both base fees prorated, shared metric billed once by the later plan', () => {
  const switcher = customer({
    subscriptions: [
      { id: 1, planId: 'basic', startedOn: '2026-01-01', trialEndsOn: null, endedOn: '2026-11-15' },
      { id: 2, planId: 'pro', startedOn: '2026-11-15', trialEndsOn: null, endedOn: null },
    ],
    usage: [{ metricCode: 'api_calls', sum: 1500, max: 0, uniqueCount: 0 }],
  });
  const invoice = okInvoice(computeInvoice(switcher, CTX));
  assert.deepEqual(invoice.lines.map((l) => [l.description, l.amountMinor]), [
    ['Basic plan — base fee (14/30 days)', 14000],
    ['Pro plan — base fee (16/30 days)', 53280],
    ['Pro plan — API calls', 5000],
    ['Pro plan — seats', 0],
  ]);
});

// ── lender: EMI principal + interest, a late fee ──

function loan(extra: Partial<LoanInput> = {}): LoanInput {
  return {
    id: 7, currency: 'INR', principalMinor: 10_000_000, annualRate: '12', tenureMonths: 24, firstDueOn: '2026-07-05',
    emiMinor: computeEmiMinor(10_000_000, '12', 24), lateFeeMinor: 50000, paidInstallments: 3, status: 'active', ...extra,
  };
}

test('lender customer: EMI 5/24 principal and interest (tax-exempt) and a taxed late fee for EMI 4', () => {
  const l = loan();
  const fifth = installmentSchedule(l)[4]!;
  const invoice = okInvoice(computeInvoice(customer({ loans: [l] }), CTX));
  assert.deepEqual(lineRows(invoice), [
    ['emi_principal', 'EMI 5/24 — principal', 1, fifth.principalMinor, 0, 0, fifth.principalMinor],
    ['emi_interest', 'EMI 5/24 — interest', 1, fifth.interestMinor, 0, 0, fifth.interestMinor],
    ['late_fee', 'Late fee — EMI 4/24 due 2026-10-05', 1, 50000, 0, 9000, 59000],
  ]);
  assert.equal(invoice.lines[0]?.taxBreakdown, null);
  // Paying the invoice advances the loan by the installments its EMI lines name.
  assert.deepEqual(invoice.lines.map((x) => [x.loanId, x.installmentSeq]), [[7, 5], [7, 5], [7, 4]]);
  assert.equal(fifth.principalMinor + fifth.interestMinor, l.emiMinor);
  assert.equal(invoice.totalMinor, l.emiMinor + 59000);
});

test('lender: a coupon never discounts EMI lines; paid-ahead and closed loans bill nothing', () => {
  const withCoupon = customer({ loans: [loan({ lateFeeMinor: 0 })], coupons: [{ couponId: 'WELCOME10', appliedFrom: '2026-11-01' }] });
  const invoice = okInvoice(computeInvoice(withCoupon, CTX));
  assert.deepEqual(invoice.lines.map((l) => l.discountMinor), [0, 0]);
  const paidAhead = customer({ loans: [loan({ paidInstallments: 5 })] });
  assert.deepEqual(computeInvoice(paidAhead, CTX), { status: 'skipped', customerId: 1, reason: 'nothing_to_bill' });
  const closed = customer({ loans: [loan({ status: 'closed' })] });
  assert.equal(computeInvoice(closed, CTX).status, 'skipped');
});

// ── retail: one-offs, a refund, tax-inclusive VAT, a fixed coupon ──

test('retail customer (UK, VAT-inclusive): one-offs, refund, fixed £12 coupon on the charge only', () => {
  const retail = customer({
    currency: 'GBP', country: 'GB', taxRegion: 'GB', legalEntityId: 'bf-uk',
    oneOffs: [
      oneOff(1, { quantity: 2, unitPriceMinor: 6000, currency: 'GBP' }), // 2 × £60.00 incl. VAT
      oneOff(2, { kind: 'refund', productName: 'Refund: widget', quantity: 1, unitPriceMinor: -1200, currency: 'GBP', originalPaymentId: 77, originalPaymentExists: true }),
      oneOff(3, { productId: 'insurance', productName: 'Insurance', unitPriceMinor: 500, currency: 'GBP' }), // exempt
      oneOff(4, { chargedOn: '2026-10-31', currency: 'GBP' }), // previous window
    ],
    coupons: [{ couponId: 'FLAT12', appliedFrom: '2026-01-01' }],
  });
  const invoice = okInvoice(computeInvoice(retail, CTX));
  // £12 split over £120 and £5 by weight: 1152 and 48 (pence). Widget: gross 12000 − 1152 = 10848
  // → net 9040, VAT 1808; net before discount 10000, so discount shown net of VAT = 960.
  // Refund £12.00 incl. VAT → net −10.00, VAT −2.00. Insurance: exempt, coupon share 48.
  assert.deepEqual(lineRows(invoice), [
    ['one_off', 'Widget', 2, 10000, 960, 1808, 10848],
    ['refund', 'Refund: widget', 1, -1000, 0, -200, -1200],
    ['one_off', 'Insurance', 1, 500, 48, 0, 452],
  ]);
  assert.deepEqual([invoice.subtotalMinor, invoice.discountMinor, invoice.taxMinor, invoice.totalMinor], [9500, 1008, 1608, 10100]);
  assert.equal(invoice.lines[1]?.unitAmountMinor, -1200);
  assert.equal(invoice.lines[0]?.serviceStart, '2026-11-10');
});

test('USD customer: a GBP fixed coupon is ignored, US sales tax is exclusive, missing prices are reasons', () => {
  const us = customer({
    currency: 'USD', taxRegion: 'US-NY', legalEntityId: 'bf-in',
    subscriptions: [{ id: 1, planId: 'pro', startedOn: '2026-01-01', trialEndsOn: null, endedOn: null }],
    coupons: [{ couponId: 'FLAT12', appliedFrom: '2026-01-01' }],
  });
  // Pro has a USD base price only; metered charges have no USD price → invalid, reasons name them.
  const result = computeInvoice(us, CTX);
  assert.equal(result.status, 'invalid');
  if (result.status !== 'invalid') return;
  assert.deepEqual(result.reasons.map((r) => [r.code, r.field]), [
    ['missing_price', 'subscriptions[0].planId'],
    ['missing_price', 'subscriptions[0].planId'],
  ]);
  assert.deepEqual(lineRows(result.draft!), [['subscription', 'Pro plan — base fee', 1, 4900, 0, 196, 5096]]);
});

// ── skipped ──

test('skipped: inactive customers, nothing to bill, trial all window long', () => {
  assert.deepEqual(computeInvoice(customer({ status: 'suspended' }), CTX), { status: 'skipped', customerId: 1, reason: 'customer_not_active' });
  assert.deepEqual(computeInvoice(customer({}), CTX), { status: 'skipped', customerId: 1, reason: 'nothing_to_bill' });
  const trial = customer({ subscriptions: [{ id: 1, planId: 'pro', startedOn: '2026-10-25', trialEndsOn: '2026-12-09', endedOn: null }] });
  assert.equal(computeInvoice(trial, CTX).status, 'skipped');
  const later = customer({ oneOffs: [oneOff(1, { chargedOn: '2026-12-01' })] }); // window end is exclusive
  assert.equal(computeInvoice(later, CTX).status, 'skipped');
});

// ── invalid: every reason is collected, with the field at fault ──

function reasonsOf(result: ComputeResult): Array<[string, string | undefined]> {
  assert.equal(result.status, 'invalid');
  return result.status === 'invalid' ? result.reasons.map((r) => [r.code, r.field]) : [];
}

test('invalid: unsupported currency, missing tax region, refund without payment — all at once', () => {
  const bad = customer({
    currency: 'XYZ', taxRegion: null,
    oneOffs: [
      oneOff(1, { currency: 'XYZ' }),
      oneOff(2, { kind: 'refund', unitPriceMinor: -100, currency: 'XYZ', originalPaymentId: null }),
      oneOff(3, { kind: 'refund', unitPriceMinor: -100, currency: 'XYZ', originalPaymentId: 12, originalPaymentExists: false }),
    ],
  });
  const result = computeInvoice(bad, CTX);
  assert.deepEqual(reasonsOf(result), [
    ['unsupported_currency', 'customer.currency'],
    ['missing_tax_region', 'customer.taxRegion'],
    ['refund_without_payment', 'oneOffs[1].originalPaymentId'],
    ['refund_without_payment', 'oneOffs[2].originalPaymentId'],
  ]);
  assert.equal(result.status === 'invalid' && result.draft?.lines.length, 3, 'the draft is kept for a person to inspect');
});

test('invalid: unknown tax region, negative total', () => {
  const refundOnly = customer({
    taxRegion: 'IN-ZZ',
    oneOffs: [oneOff(1, { kind: 'refund', unitPriceMinor: -5000, originalPaymentId: 3, originalPaymentExists: true })],
  });
  assert.deepEqual(reasonsOf(computeInvoice(refundOnly, CTX)), [
    ['negative_total', 'totalMinor'],
    ['missing_tax_region', 'customer.taxRegion'],
  ]);
});

test('invalid: one-offs and loans in another currency are currency_mismatch and left off the draft', () => {
  const mixed = customer({ oneOffs: [oneOff(1, {}), oneOff(2, { currency: 'USD' })], loans: [loan({ currency: 'USD' })] });
  const result = computeInvoice(mixed, CTX);
  assert.deepEqual(reasonsOf(result), [
    ['currency_mismatch', 'loans[0].currency'],
    ['currency_mismatch', 'oneOffs[1].currency'],
  ]);
  assert.equal(result.status === 'invalid' && result.draft?.lines.length, 1);
});

test('invalid: unknown plan, unknown coupon, bad anchor day, malformed data in one customer only', () => {
  const unknown = customer({
    subscriptions: [{ id: 1, planId: 'gold', startedOn: '2026-01-01', trialEndsOn: null, endedOn: null }],
    oneOffs: [oneOff(1, {})],
    coupons: [{ couponId: 'NOPE', appliedFrom: '2026-01-01' }],
  });
  assert.deepEqual(reasonsOf(computeInvoice(unknown, CTX)), [
    ['unknown_plan', 'subscriptions[0].planId'],
    ['unknown_coupon', 'coupons[0].couponId'],
  ]);
  assert.deepEqual(reasonsOf(computeInvoice(customer({ billingAnchorDay: 0, oneOffs: [oneOff(1, {})] }), CTX)), [
    ['invalid_anchor_day', 'customer.billingAnchorDay'],
  ]);
  const badDate = customer({ subscriptions: [{ id: 1, planId: 'pro', startedOn: '2026-13-01', trialEndsOn: null, endedOn: null }], oneOffs: [oneOff(1, {})] });
  assert.deepEqual(reasonsOf(computeInvoice(badDate, CTX)), [['invalid_date', 'subscriptions[0]']]);
  const badRate = customer({ loans: [loan({ annualRate: 'twelve' })], oneOffs: [oneOff(1, {})] });
  assert.deepEqual(reasonsOf(computeInvoice(badRate, CTX)), [['invalid_loan', 'loans[0]']]);
});

// ── purity ──

test('pure: same input, same output; inputs and catalog untouched', () => {
  const saas = customer({
    subscriptions: [{ id: 10, planId: 'pro', startedOn: '2026-11-19', trialEndsOn: null, endedOn: null }],
    usage: [{ metricCode: 'api_calls', sum: 1500, max: 40, uniqueCount: 7 }],
    loans: [loan()],
    coupons: [{ couponId: 'WELCOME10', appliedFrom: '2026-11-01' }],
  });
  const before = structuredClone(saas);
  const chargeOrder = PRO.charges.map((c) => c.id);
  const first = computeInvoice(saas, CTX);
  assert.deepEqual(computeInvoice(saas, CTX), first);
  assert.deepEqual(saas, before);
  assert.deepEqual(PRO.charges.map((c) => c.id), chargeOrder);
});
