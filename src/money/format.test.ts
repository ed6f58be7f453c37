import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import { formatMinor, minorToDecimalString, toMinorUnits } from './format.ts';

// Some locales separate with U+00A0 / U+202F; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test('formatMinor: currency symbol, grouping, exponent digits', () => {
  assert.equal(formatMinor(123450, 'INR'), '₹1,234.50');
  assert.equal(formatMinor(123456750, 'INR', 'en-IN'), '₹12,34,567.50'); // lakh grouping
  assert.equal(formatMinor(1000, 'JPY', 'ja-JP'), '￥1,000');
  assert.equal(plain(formatMinor(123450, 'EUR', 'de-DE')), '1.234,50 €');
  assert.equal(formatMinor(-5, 'USD', 'en-US'), '-$0.05');
  assert.equal(plain(formatMinor(1234, 'KWD', 'en')), 'KWD 1.234');
  assert.equal(plain(formatMinor(12345, 'CLF', 'en')), 'CLF 1.2345');
});

test('formatMinor: exact beyond double precision of the major amount', () => {
  // 90071992547409.91 as a double prints …409.90; the string path keeps the cents.
  assert.equal(formatMinor(9007199254740991, 'INR'), '₹90,071,992,547,409.91');
});

test('formatMinor: a malformed locale falls back to English', () => {
  assert.equal(formatMinor(100, 'USD', 'not a locale!!'), '$1.00');
});

test('minorToDecimalString', () => {
  assert.equal(minorToDecimalString(123450, 2), '1234.50');
  assert.equal(minorToDecimalString(5, 2), '0.05');
  assert.equal(minorToDecimalString(-5, 3), '-0.005');
  assert.equal(minorToDecimalString(1000, 0), '1000');
  assert.equal(minorToDecimalString(0, 2), '0.00');
});

test('toMinorUnits: exact string arithmetic', () => {
  assert.equal(toMinorUnits('1234.5', 'INR'), 123450);
  assert.equal(toMinorUnits('1234.50', 'INR'), 123450);
  assert.equal(toMinorUnits('0.29', 'USD'), 29); // 0.29 × 100 in floats is 28.999999999999996
  assert.equal(toMinorUnits(0.29, 'USD'), 29);
  assert.equal(toMinorUnits('1000', 'JPY'), 1000);
  assert.equal(toMinorUnits('10.00', 'JPY'), 10); // trailing zeros add no precision
  assert.equal(toMinorUnits('1.234', 'KWD'), 1234);
  assert.equal(toMinorUnits('-12.3', 'EUR'), -1230);
  assert.equal(toMinorUnits('-0', 'EUR'), 0);
  assert.equal(toMinorUnits(' 7 ', 'USD'), 700);
});

test('toMinorUnits: more decimals than the currency has is an error naming the value', () => {
  const rejects = (major: string | number, currency: string, text: RegExp) =>
    assert.throws(() => toMinorUnits(major, currency), (e: unknown) => e instanceof BillflowError && e.code === 'invalid_amount' && text.test(e.message));
  rejects('1.234', 'USD', /"1.234".*USD has 2 decimal place\(s\), got 3/);
  rejects('1.5', 'JPY', /JPY has 0 decimal/);
  rejects(0.1 + 0.2, 'USD', /0.30000000000000004/);
  rejects('1e3', 'USD', /expected a decimal/);
  rejects('1,000.00', 'USD', /expected a decimal/);
  rejects('', 'USD', /expected a decimal/);
  rejects('99999999999999999', 'USD', /too large/);
  assert.throws(() => toMinorUnits('1', 'XYZ'), (e: unknown) => e instanceof BillflowError && e.code === 'unknown_currency');
});
