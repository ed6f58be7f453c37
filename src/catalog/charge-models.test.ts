import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import type { ChargeProperties, Tier } from '../billing/types.ts';
import { chargeAmountMinor } from './charge-models.ts';

const amountOf = (props: ChargeProperties, quantity: number) => chargeAmountMinor(props, quantity).amountMinor;
const isCode = (code: string) => (e: unknown) => e instanceof BillflowError && e.code === code;

test('flat: the amount, whatever the quantity', () => {
  const flat: ChargeProperties = { model: 'flat', amount: 4900 };
  assert.deepEqual(chargeAmountMinor(flat, 1), { amountMinor: 4900, unitAmountMinor: 4900 });
  assert.equal(amountOf(flat, 0), 4900);
});

test('per_unit: quantity × unit amount, sub-cent prices rounded once', () => {
  assert.deepEqual(chargeAmountMinor({ model: 'per_unit', unitAmount: 25 }, 120), { amountMinor: 3000, unitAmountMinor: 25 });
  assert.equal(amountOf({ model: 'per_unit', unitAmount: 25 }, 0), 0);
  // 0.1 cent per call: 12,345 calls = 1234.5 cents → 1234 (half-even), not 1234.5000000000002.
  assert.equal(amountOf({ model: 'per_unit', unitAmount: 0.1 }, 12345), 1234);
  assert.equal(amountOf({ model: 'per_unit', unitAmount: 0.1 }, 12355), 1236);
});

// Stripe docs, "Set up tiered pricing" (Typographic): fonts 1-5 at 7 USD, 6-10 at 6.50 USD, 11+ at 6 USD.
const STRIPE_TIERS: Tier[] = [
  { upTo: 5, unitAmount: 700, flatAmount: 0 },
  { upTo: 10, unitAmount: 650, flatAmount: 0 },
  { upTo: null, unitAmount: 600, flatAmount: 0 },
];

test('volume vs graduated on Stripe\'s tiered-pricing example', () => {
  const volume: ChargeProperties = { model: 'volume', tiers: STRIPE_TIERS };
  const graduated: ChargeProperties = { model: 'graduated', tiers: STRIPE_TIERS };
  // Volume: the whole quantity at the rate of the tier it falls in — 6 fonts cost 6 × 6.50 = 39 USD.
  assert.deepEqual([1, 5, 6, 20, 25].map((q) => amountOf(volume, q)), [700, 3500, 3900, 12000, 15000]);
  // Graduated: 6 fonts = 5 × 7 + 1 × 6.50 = 41.50; 20 = 35 + 32.50 + 60 = 127.50.
  assert.deepEqual([1, 5, 6, 20, 25].map((q) => amountOf(graduated, q)), [700, 3500, 4150, 12750, 15750]);
  assert.equal(chargeAmountMinor(volume, 6).unitAmountMinor, 650);
  assert.equal(chargeAmountMinor(volume, 6).detail, 'tier 2 of 3');
});

// Lago docs: charge models — graduated: $1 per unit for the first 100, $0.50 for the next 100,
// $0.10 for any additional unit.
test('graduated: Lago docs example', () => {
  const props: ChargeProperties = {
    model: 'graduated',
    tiers: [
      { upTo: 100, unitAmount: 100, flatAmount: 0 },
      { upTo: 200, unitAmount: 50, flatAmount: 0 },
      { upTo: null, unitAmount: 10, flatAmount: 0 },
    ],
  };
  assert.equal(amountOf(props, 250), 15500); // 100 + 50 + 5 = $155
  assert.equal(amountOf(props, 100), 10000);
  assert.equal(amountOf(props, 101), 10050);
  assert.equal(chargeAmountMinor(props, 250).unitAmountMinor, 62); // 155 / 250 = 0.62
});

// Lago's own specs (GraduatedService): 0-10 at 10 + flat 2, 11+ at 5 + flat 3; no flat for 0 units.
test('graduated: flat amount of every tier reached, none at zero usage', () => {
  const props: ChargeProperties = {
    model: 'graduated',
    tiers: [
      { upTo: 10, unitAmount: 10, flatAmount: 2 },
      { upTo: null, unitAmount: 5, flatAmount: 3 },
    ],
  };
  assert.deepEqual(chargeAmountMinor(props, 0), { amountMinor: 0, unitAmountMinor: 0 });
  assert.equal(amountOf(props, 1), 12);
  assert.equal(amountOf(props, 10), 102);
  assert.equal(amountOf(props, 11), 110); // 100 + 2 + 5 + 3
});

// Lago docs: charge models — volume: 0-10,000 at $0.0010, 10,001-50,000 at $0.0008,
// 50,001-100,000 at $0.0006, 100,001+ at $0.0004, each with a $10 flat fee:
// 65,000 API calls = 65,000 × $0.0006 + $10 = $49.
test('volume: Lago docs example with sub-cent unit prices', () => {
  const props: ChargeProperties = {
    model: 'volume',
    tiers: [
      { upTo: 10_000, unitAmount: 0.1, flatAmount: 1000 },
      { upTo: 50_000, unitAmount: 0.08, flatAmount: 1000 },
      { upTo: 100_000, unitAmount: 0.06, flatAmount: 1000 },
      { upTo: null, unitAmount: 0.04, flatAmount: 1000 },
    ],
  };
  assert.equal(amountOf(props, 65_000), 4900);
  assert.equal(amountOf(props, 10_000), 2000); // upTo is inclusive: still tier 1
  assert.equal(amountOf(props, 10_001), 1800); // 800.08 → 800 + 1000
  assert.equal(amountOf(props, 250_000), 11000);
  assert.equal(amountOf(props, 0), 0);
});

// Lago docs: charge models — package: $5 per 100 units, first 100 units free;
// 201 units = $0 + $5 + $5 = $10.
test('package: Lago docs example', () => {
  const props: ChargeProperties = { model: 'package', packageSize: 100, amount: 500, freeUnits: 100 };
  assert.equal(amountOf(props, 201), 1000);
  assert.equal(amountOf(props, 0), 0);
  assert.equal(amountOf(props, 100), 0);
  assert.equal(amountOf(props, 101), 500);
  assert.equal(amountOf(props, 200), 500);
  assert.equal(chargeAmountMinor(props, 201).detail, '2 × 100 units, 100 free');
  assert.equal(amountOf({ model: 'package', packageSize: 1000, amount: 125, freeUnits: 0 }, 1500), 250);
});

// Lago docs: charge models — percentage: a rate on the total amount of transactions (the metric
// value, itself minor units) plus a fixed fee; Stripe-like 2.9% + 30¢.
test('percentage: rate of the metered value + fixed fee, clamped', () => {
  const props: ChargeProperties = { model: 'percentage', rate: '2.9', fixedAmount: 30, minAmount: null, maxAmount: null };
  assert.equal(amountOf(props, 100_000), 2930); // 2.9% of $1,000.00 = $29.00 + $0.30
  assert.equal(amountOf(props, 1050), 60); // 30.45 → 30, + 30
  assert.equal(amountOf(props, 0), 0); // no transactions, no fixed fee
  const clamped: ChargeProperties = { model: 'percentage', rate: '1.2', fixedAmount: 0, minAmount: 100, maxAmount: 5000 };
  assert.equal(amountOf(clamped, 1000), 100); // 12 → min 100
  assert.equal(amountOf(clamped, 100_000), 1200);
  assert.equal(amountOf(clamped, 1_000_000), 5000); // 12,000 → max 5,000
  assert.equal(amountOf(clamped, 0), 0); // a minimum applies to use, not to no use
});

test('catalog errors are typed: bad tiers, bad rates, bad quantities, overflow', () => {
  const open = { upTo: null, unitAmount: 1, flatAmount: 0 };
  assert.throws(() => amountOf({ model: 'graduated', tiers: [] }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'graduated', tiers: [{ upTo: 10, unitAmount: 1, flatAmount: 0 }] }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'volume', tiers: [open, open] }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'volume', tiers: [{ upTo: 10, unitAmount: 1, flatAmount: 0 }, { upTo: 5, unitAmount: 1, flatAmount: 0 }, open] }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'package', packageSize: 0, amount: 1, freeUnits: 0 }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'percentage', rate: 'abc', fixedAmount: 0, minAmount: null, maxAmount: null }, 0), isCode('invalid_decimal'));
  assert.throws(() => amountOf({ model: 'flat', amount: 1.5 }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'per_unit', unitAmount: -1 }, 1), isCode('invalid_price'));
  assert.throws(() => amountOf({ model: 'per_unit', unitAmount: 1 }, -1), isCode('invalid_quantity'));
  assert.throws(() => amountOf({ model: 'per_unit', unitAmount: 1 }, 1.5), isCode('invalid_quantity'));
  assert.throws(() => amountOf({ model: 'per_unit', unitAmount: 1e9 }, 1e9), isCode('amount_overflow'));
  assert.throws(() => amountOf({ model: 'nope' } as unknown as ChargeProperties, 1), isCode('invalid_price'));
});
