import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import { CURRENCIES, exponentOf, isKnownCurrency } from './currencies.ts';

test('exponents of the currencies named in the design', () => {
  const expected: Record<string, number> = {
    JPY: 0, KRW: 0, CLP: 0, ISK: 0, VND: 0, XOF: 0,
    USD: 2, EUR: 2, INR: 2, GBP: 2, MGA: 2, MRU: 2,
    KWD: 3, BHD: 3, OMR: 3, JOD: 3, TND: 3, IQD: 3, LYD: 3,
    CLF: 4, UYW: 4,
  };
  for (const [code, exponent] of Object.entries(expected)) assert.equal(exponentOf(code), exponent, code);
});

test('table is well-formed: unique upper-case codes, exponents 0..4 (the currencies table check)', () => {
  const seen = new Set<string>();
  for (const row of CURRENCIES) {
    assert.match(row.code, /^[A-Z]{3}$/);
    assert.ok(row.exponent >= 0 && row.exponent <= 4, row.code);
    assert.ok(row.name.length > 0, row.code);
    assert.ok(!seen.has(row.code), `duplicate ${row.code}`);
    seen.add(row.code);
  }
  assert.ok(CURRENCIES.length >= 150, `only ${CURRENCIES.length} currencies`);
  assert.ok(Object.isFrozen(CURRENCIES));
});

test('withdrawn and no-minor-unit codes are not active', () => {
  for (const code of ['HRK', 'SLL', 'ZWL', 'ANG', 'BGN', 'CUC', 'XAU', 'XDR', 'XXX', 'usd', '']) {
    assert.equal(isKnownCurrency(code), false, code);
  }
  for (const code of ['XCG', 'ZWG', 'SLE', 'VED']) assert.equal(isKnownCurrency(code), true, code);
});

test('exponentOf an unknown code is a typed error', () => {
  assert.throws(() => exponentOf('ABC'), (e: unknown) => e instanceof BillflowError && e.code === 'unknown_currency');
});
