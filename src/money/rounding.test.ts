import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillflowError } from '../errors.ts';
import { mulDecimalMinor, mulDivHalfEven, parseDecimal, percentOfMinor, roundHalfEven } from './rounding.ts';

test('roundHalfEven: ties go to the even neighbour, sign-correct', () => {
  // 2.5 → 2, 3.5 → 4, -2.5 → -2, -3.5 → -4, 0.5 → 0, 1.5 → 2
  assert.equal(roundHalfEven(5n, 2n), 2n);
  assert.equal(roundHalfEven(7n, 2n), 4n);
  assert.equal(roundHalfEven(-5n, 2n), -2n);
  assert.equal(roundHalfEven(-7n, 2n), -4n);
  assert.equal(roundHalfEven(1n, 2n), 0n);
  assert.equal(roundHalfEven(3n, 2n), 2n);
  assert.equal(roundHalfEven(5n, -2n), -2n);
  assert.equal(roundHalfEven(-5n, -2n), 2n);
});

test('roundHalfEven: non-ties round to nearest', () => {
  assert.equal(roundHalfEven(10n, 3n), 3n); // 3.33
  assert.equal(roundHalfEven(20n, 3n), 7n); // 6.67
  assert.equal(roundHalfEven(-20n, 3n), -7n);
  assert.equal(roundHalfEven(0n, 7n), 0n);
  assert.equal(roundHalfEven(251n, 100n), 3n); // 2.51 just above the tie
  assert.equal(roundHalfEven(249n, 100n), 2n);
});

test('roundHalfEven: division by zero is an assertion', () => {
  assert.throws(() => roundHalfEven(1n, 0n), /division by zero/);
});

test('mulDivHalfEven: Number path agrees with BigInt path', () => {
  const cases: Array<[number, number, number]> = [
    [5, 1, 2], [7, 1, 2], [-5, 1, 2], [-7, 1, 2], [1, 1, 2], [-1, 1, 2],
    [100025, 18, 100], [123457, 7, 3], [-123457, 7, 3], [999, 1, -2], [1001, 1, -2],
    [Number.MAX_SAFE_INTEGER, 1, 3], [Number.MAX_SAFE_INTEGER - 1, 1, 2],
  ];
  for (const [amount, mul, div] of cases) {
    const expected = Number(roundHalfEven(BigInt(amount) * BigInt(mul), BigInt(div)));
    assert.equal(mulDivHalfEven(amount, mul, div), expected, `${amount}*${mul}/${div}`);
    assert.equal(mulDivHalfEven(amount, BigInt(mul), BigInt(div)), expected, `bigint ${amount}*${mul}/${div}`);
  }
});

test('mulDivHalfEven: never returns -0', () => {
  assert.ok(Object.is(mulDivHalfEven(-1, 1, 3), 0));
  assert.ok(Object.is(mulDivHalfEven(-1, 1, 2), 0));
});

test('mulDivHalfEven: products beyond 2^53 take the exact BigInt path', () => {
  // 9e15 × 3 / 3 overflows a double's integers but the result fits.
  assert.equal(mulDivHalfEven(9_000_000_000_000_001, 3, 3), 9_000_000_000_000_001);
  assert.equal(mulDivHalfEven(4_000_000_000_000_001, 1_000_000, 1_000_000), 4_000_000_000_000_001);
});

test('mulDivHalfEven: results beyond the safe range are an assertion, not a wrong number', () => {
  assert.throws(() => mulDivHalfEven(Number.MAX_SAFE_INTEGER, 10, 1), /safe integer/);
  assert.throws(() => mulDivHalfEven(1.5, 1, 1), /safe integer/);
  assert.throws(() => mulDivHalfEven(10, 1.5, 1), /not an integer/);
});

test('parseDecimal: exact fractions with trailing zeros removed', () => {
  assert.equal(parseDecimal('7.25').num, 725n);
  assert.equal(parseDecimal('7.25').den, 100n);
  assert.equal(parseDecimal('18').num, 18n);
  assert.equal(parseDecimal('18').den, 1n);
  assert.equal(parseDecimal('0.5').num, 5n);
  assert.equal(parseDecimal('0.5').den, 10n);
  assert.equal(parseDecimal('9.0000').num, 9n); // Postgres numeric(9,4) text
  assert.equal(parseDecimal('9.0000').den, 1n);
  assert.equal(parseDecimal('83.123400000000').den, 10000n);
  assert.equal(parseDecimal('7.25'), parseDecimal('7.25'), 'cached: same object');
});

test('parseDecimal: rejects anything else, naming the value', () => {
  for (const bad of ['', ' 7', '7 ', '-1', '+1', '1e3', '.5', '5.', '1,5', 'abc', 'NaN', '0x10']) {
    assert.throws(
      () => parseDecimal(bad),
      (e: unknown) => e instanceof BillflowError && e.code === 'invalid_decimal' && e.message.includes(JSON.stringify(bad)),
      `should reject ${JSON.stringify(bad)}`,
    );
  }
});

test('percentOfMinor: rate % of minor units, half-even', () => {
  assert.equal(percentOfMinor(100000, '18'), 18000); // 18% of 1,000.00
  assert.equal(percentOfMinor(100025, '18'), 18004); // 18004.5 → 18004 (even)
  assert.equal(percentOfMinor(100075, '18'), 18014); // 18013.5 → 18014 (even)
  assert.equal(percentOfMinor(10000, '7.25'), 725);
  assert.equal(percentOfMinor(-100025, '18'), -18004);
  assert.equal(percentOfMinor(12345, '0'), 0);
  assert.equal(percentOfMinor(12345, '100'), 12345);
  assert.equal(percentOfMinor(1, '0.5'), 0); // 0.005 → 0
});

test('mulDecimalMinor: decimal factor, one rounding', () => {
  assert.equal(mulDecimalMinor(1000, '1.5'), 1500);
  assert.equal(mulDecimalMinor(3, '0.5'), 2); // 1.5 → 2
  assert.equal(mulDecimalMinor(5, '0.5'), 2); // 2.5 → 2
});
