import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InvoiceLineDraft, TaxAmount, TaxRegionInfo } from '../billing/types.ts';
import { addTaxAmounts, taxInvoiceLine, taxLine } from './taxes.ts';

// India GST: CGST + SGST inside a state, IGST between states (CGST Act s.9, IGST Act s.5).
const GST_RATES: TaxRegionInfo['rates'] = [
  { name: 'CGST', ratePercent: '9', scope: 'intra' },
  { name: 'SGST', ratePercent: '9', scope: 'intra' },
  { name: 'IGST', ratePercent: '18', scope: 'inter' },
];
const MAHARASHTRA: TaxRegionInfo = { code: 'IN-MH', country: 'IN', kind: 'gst', inclusive: false, rates: GST_RATES };
const KARNATAKA: TaxRegionInfo = { code: 'IN-KA', country: 'IN', kind: 'gst', inclusive: false, rates: GST_RATES };
const GERMANY: TaxRegionInfo = { code: 'DE', country: 'DE', kind: 'vat', inclusive: false, rates: [{ name: 'VAT', ratePercent: '19', scope: 'all' }] };
const UK_CONSUMER: TaxRegionInfo = { code: 'GB', country: 'GB', kind: 'vat', inclusive: true, rates: [{ name: 'VAT', ratePercent: '20', scope: 'all' }] };
const NEW_YORK: TaxRegionInfo = { code: 'US-NY', country: 'US', kind: 'sales', inclusive: false, rates: [{ name: 'Sales tax', ratePercent: '4', scope: 'all' }] };
const NO_TAX: TaxRegionInfo = { code: 'JP-EXPORT', country: 'JP', kind: 'none', inclusive: false, rates: [] };

test('GST intra-state: ₹1,000.00 → CGST 9% ₹90.00 + SGST 9% ₹90.00', () => {
  assert.deepEqual(taxLine(100000, MAHARASHTRA, 'IN-MH', false), {
    netMinor: 100000,
    taxMinor: 18000,
    breakdown: [
      { name: 'CGST', ratePercent: '9', amountMinor: 9000 },
      { name: 'SGST', ratePercent: '9', amountMinor: 9000 },
    ],
  });
});

test('GST inter-state: the same ₹1,000.00 sold from IN-MH to IN-KA → IGST 18% ₹180.00', () => {
  assert.deepEqual(taxLine(100000, KARNATAKA, 'IN-MH', false), {
    netMinor: 100000,
    taxMinor: 18000,
    breakdown: [{ name: 'IGST', ratePercent: '18', amountMinor: 18000 }],
  });
});

test('GST rounds per component: ₹10.50 → 94.5 → 94 paise twice = 188, not round(18% × 1050) = 189', () => {
  const line = taxLine(1050, MAHARASHTRA, 'IN-MH', false);
  assert.equal(line.taxMinor, 188);
  assert.deepEqual(line.breakdown?.map((b) => b.amountMinor), [94, 94]);
  assert.equal(taxLine(1050, KARNATAKA, 'IN-MH', false).taxMinor, 189);
});

test('EU VAT exclusive: DE 19% on €100.00 → €19.00; on €0.50 → 9.5 → 10 cents (even)', () => {
  assert.deepEqual(taxLine(10000, GERMANY, 'IN-MH', false), {
    netMinor: 10000,
    taxMinor: 1900,
    breakdown: [{ name: 'VAT', ratePercent: '19', amountMinor: 1900 }],
  });
  assert.equal(taxLine(50, GERMANY, 'DE', false).taxMinor, 10);
});

test('UK VAT inclusive: £120.00 including 20% → net £100.00, tax £20.00', () => {
  assert.deepEqual(taxLine(12000, UK_CONSUMER, 'GB', false), {
    netMinor: 10000,
    taxMinor: 2000,
    breakdown: [{ name: 'VAT', ratePercent: '20', amountMinor: 2000 }],
  });
  // £9.99 incl. VAT: net = 999 / 1.2 = 832.5 → 832 (even), tax 167.
  assert.deepEqual([taxLine(999, UK_CONSUMER, 'GB', false).netMinor, taxLine(999, UK_CONSUMER, 'GB', false).taxMinor], [832, 167]);
});

test('inclusive with two components: split by rate, last takes the remainder', () => {
  const inclusiveGst: TaxRegionInfo = { ...MAHARASHTRA, inclusive: true };
  const even = taxLine(11800, inclusiveGst, 'IN-MH', false);
  assert.deepEqual([even.netMinor, even.taxMinor, even.breakdown?.map((b) => b.amountMinor)], [10000, 1800, [900, 900]]);
  // ₹10.01 incl. 18%: net = 1001 / 1.18 = 848.31 → 848, tax 153 = CGST 76 (76.5 → 76) + SGST 77.
  const odd = taxLine(1001, inclusiveGst, 'IN-MH', false);
  assert.deepEqual([odd.netMinor, odd.taxMinor, odd.breakdown?.map((b) => b.amountMinor)], [848, 153, [76, 77]]);
});

test('US flat sales tax: US-NY 4% on $25.99 → 103.96 → $1.04', () => {
  assert.equal(taxLine(2599, NEW_YORK, 'US-CA', false).taxMinor, 104);
});

test('untaxed: exempt products, regions of kind none, no applicable rate', () => {
  assert.deepEqual(taxLine(100000, MAHARASHTRA, 'IN-MH', true), { netMinor: 100000, taxMinor: 0, breakdown: null });
  assert.deepEqual(taxLine(100000, NO_TAX, 'IN-MH', false), { netMinor: 100000, taxMinor: 0, breakdown: null });
  const intraOnly: TaxRegionInfo = { ...MAHARASHTRA, rates: GST_RATES.slice(0, 2) };
  assert.deepEqual(taxLine(100, intraOnly, 'IN-KA', false), { netMinor: 100, taxMinor: 0, breakdown: null });
});

test('refund lines reverse tax symmetrically (sign-correct half-even)', () => {
  const line = taxLine(-1050, MAHARASHTRA, 'IN-MH', false);
  assert.equal(line.taxMinor, -188);
  assert.deepEqual(line.breakdown?.map((b) => b.amountMinor), [-94, -94]);
  const vat = taxLine(-12000, UK_CONSUMER, 'GB', false);
  assert.deepEqual([vat.netMinor, vat.taxMinor], [-10000, -2000]);
});

test('decimal rates: 7.25% and 8.875%', () => {
  const california: TaxRegionInfo = { code: 'US-CA', country: 'US', kind: 'sales', inclusive: false, rates: [{ name: 'Sales tax', ratePercent: '7.25', scope: 'all' }] };
  assert.equal(taxLine(10000, california, 'US-NY', false).taxMinor, 725);
  const nyc: TaxRegionInfo = { code: 'US-NYC', country: 'US', kind: 'sales', inclusive: true, rates: [{ name: 'Sales tax', ratePercent: '4', scope: 'all' }, { name: 'City tax', ratePercent: '4.875', scope: 'all' }] };
  const line = taxLine(10888, nyc, 'US-NY', false); // 10888 / 1.08875 = 10000.46 → 10000
  assert.deepEqual([line.netMinor, line.taxMinor, line.breakdown?.map((b) => b.amountMinor)], [10000, 888, [400, 488]]);
});

function draftLine(amountMinor: number, discountMinor: number): InvoiceLineDraft {
  return {
    lineNo: 1, kind: 'one_off', description: 'Widget', productId: 'widget', quantity: 1, unitAmountMinor: amountMinor, amountMinor,
    discountMinor, taxMinor: 0, totalMinor: 0, taxBreakdown: null, serviceStart: null, serviceEnd: null, loanId: null, installmentSeq: null,
  };
}

test('taxInvoiceLine, exclusive: tax on amount − discount, amounts untouched', () => {
  const line = draftLine(10000, 1000);
  taxInvoiceLine(line, GERMANY, 'DE', false);
  assert.deepEqual([line.amountMinor, line.discountMinor, line.taxMinor], [10000, 1000, 1710]);
});

test('taxInvoiceLine, inclusive: £120.00 gross with £12.00 off → net 100.00, net discount 10.00, VAT 18.00', () => {
  const line = draftLine(12000, 1200);
  taxInvoiceLine(line, UK_CONSUMER, 'GB', false);
  assert.deepEqual([line.amountMinor, line.discountMinor, line.taxMinor], [10000, 1000, 1800]);
  assert.equal(line.amountMinor - line.discountMinor + line.taxMinor, 12000 - 1200, 'the customer pays gross − discount');
  const exempt = draftLine(12000, 1200);
  taxInvoiceLine(exempt, UK_CONSUMER, 'GB', true);
  assert.deepEqual([exempt.amountMinor, exempt.discountMinor, exempt.taxMinor, exempt.taxBreakdown], [12000, 1200, 0, null]);
});

test('addTaxAmounts sums per (name, rate)', () => {
  const sums: TaxAmount[] = [];
  addTaxAmounts(sums, [{ name: 'CGST', ratePercent: '9', amountMinor: 5 }, { name: 'SGST', ratePercent: '9', amountMinor: 5 }]);
  addTaxAmounts(sums, [{ name: 'CGST', ratePercent: '9', amountMinor: 7 }, { name: 'CGST', ratePercent: '2.5', amountMinor: 1 }]);
  assert.deepEqual(sums, [
    { name: 'CGST', ratePercent: '9', amountMinor: 12 },
    { name: 'SGST', ratePercent: '9', amountMinor: 5 },
    { name: 'CGST', ratePercent: '2.5', amountMinor: 1 },
  ]);
});
