import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import { convertMinor, indexFxRates, type FxRate } from './fx.ts';

const RATES: FxRate[] = [
  { base: 'USD', quote: 'INR', effectiveFrom: '2026-01-01', rate: '80' },
  { base: 'USD', quote: 'INR', effectiveFrom: '2026-03-01', rate: '85' },
  { base: 'USD', quote: 'INR', effectiveFrom: '2026-02-01', rate: '83.25' }, // out of order on purpose
  { base: 'USD', quote: 'JPY', effectiveFrom: '2026-01-01', rate: '150' },
  { base: 'KWD', quote: 'USD', effectiveFrom: '2026-01-01', rate: '3.25' },
  { base: 'EUR', quote: 'USD', effectiveFrom: '2026-01-01', rate: '1.085' },
  { base: 'USD', quote: 'EUR', effectiveFrom: '2026-06-01', rate: '0.9' },
];
const TABLE = indexFxRates(RATES);

function both(amount: number, from: string, to: string, on: string): number {
  const viaRows = convertMinor(amount, from, to, on, RATES);
  const viaTable = convertMinor(amount, from, to, on, TABLE);
  assert.equal(viaTable, viaRows, 'rows and indexed table agree');
  return viaRows;
}

test('latest rate effective on or before the date wins', () => {
  assert.equal(both(10000, 'USD', 'INR', '2026-01-31'), 800000); // $100 × 80
  assert.equal(both(10000, 'USD', 'INR', '2026-02-01'), 832500); // the day it takes effect
  assert.equal(both(10000, 'USD', 'INR', '2026-02-28'), 832500);
  assert.equal(both(10000, 'USD', 'INR', '2026-11-22'), 850000);
});

test('inverse pair when only the opposite direction exists, exact fraction', () => {
  // 1000 JPY (exponent 0) → USD (exponent 2) at USD/JPY 150: 1000/150 = 6.6667 USD → 667 cents.
  assert.equal(both(1000, 'JPY', 'USD', '2026-02-01'), 667);
  // $12.34 → JPY: 12.34 × 150 = 1851 yen.
  assert.equal(both(1234, 'USD', 'JPY', '2026-02-01'), 1851);
});

test('three-decimal currencies: fils ↔ cents', () => {
  assert.equal(both(1000, 'KWD', 'USD', '2026-02-01'), 325); // 1.000 KWD → $3.25
  assert.equal(both(1, 'KWD', 'USD', '2026-02-01'), 0); // 0.325 cents → 0
  assert.equal(both(2, 'KWD', 'USD', '2026-02-01'), 1); // 0.65 cents → 1
  assert.equal(both(100, 'USD', 'KWD', '2026-02-01'), 308); // $1 / 3.25 = 0.307692 KWD → 308 fils
});

test('ties round half-even once, at the end', () => {
  // 1 cent at 1.5 = 1.5 → 2; 5 cents at 0.5 … via EUR/USD 1.085: 200 cents → 217 (exact), 2 → 2.17 → 2.
  assert.equal(both(200, 'EUR', 'USD', '2026-02-01'), 217);
  assert.equal(both(2, 'EUR', 'USD', '2026-02-01'), 2);
  assert.equal(both(-200, 'EUR', 'USD', '2026-02-01'), -217);
});

test('a direct row is preferred to an inverse row for the date', () => {
  // USD/EUR 0.9 from June; before June only EUR/USD exists and is inverted.
  assert.equal(both(10000, 'USD', 'EUR', '2026-07-01'), 9000);
  assert.equal(both(10850, 'USD', 'EUR', '2026-02-01'), 10000); // 108.50 / 1.085 = 100.00
});

test('same currency is the identity', () => {
  assert.equal(both(12345, 'INR', 'INR', '2020-01-01'), 12345);
});

test('no rate is a clear BillflowError', () => {
  const isMissing = (e: unknown) =>
    e instanceof BillflowError && e.code === 'fx_rate_missing' && e.message.includes('GBP') && e.message.includes('2026-02-01');
  assert.throws(() => convertMinor(100, 'GBP', 'INR', '2026-02-01', RATES), isMissing);
  assert.throws(() => convertMinor(100, 'USD', 'INR', '2025-12-31', RATES), /no FX rate USD→INR/);
});

test('unknown currencies and zero rates are typed errors', () => {
  assert.throws(() => convertMinor(100, 'XYZ', 'USD', '2026-02-01', RATES), (e: unknown) => e instanceof BillflowError && e.code === 'unknown_currency');
  const zero: FxRate[] = [{ base: 'USD', quote: 'GBP', effectiveFrom: '2026-01-01', rate: '0' }];
  assert.throws(() => convertMinor(100, 'GBP', 'USD', '2026-02-01', zero), (e: unknown) => e instanceof BillflowError && e.code === 'fx_rate_invalid');
  const bad: FxRate[] = [{ base: 'USD', quote: 'GBP', effectiveFrom: '2026-01-01', rate: '-1' }];
  assert.throws(() => convertMinor(100, 'USD', 'GBP', '2026-02-01', bad), (e: unknown) => e instanceof BillflowError && e.code === 'invalid_decimal');
});
