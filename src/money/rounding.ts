/**
 * The one rounding rule of Billflow (design convention 2): round half to even ("banker's
 * rounding": IEEE 754 roundTiesToEven, Java's RoundingMode.HALF_EVEN). Half-even is used because
 * over millions of lines its ties do not drift upwards the way half-up does. Postgres rounds
 * numeric ties away from zero, which is one reason money is never divided in SQL.
 *
 * Every money division in Billflow goes through roundHalfEven or mulDivHalfEven; nothing else
 * divides minor units. Rates (tax, percent, FX) are decimal strings, turned into exact
 * fractions by parseDecimal, never into floats.
 */
import { BillflowError, assert } from '../errors.ts';

/** round(numerator / denominator), ties to the even neighbour; sign-correct (-2.5 → -2). */
export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  assert(denominator !== 0n, 'roundHalfEven: division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let q = n / d;
  const twiceRemainder = (n % d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && (q & 1n) === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * round(amountMinor × mul / div) half-even, computed exactly. The Number path is exact because
 * the product is a safe integer and `%` on doubles is exact (fmod), so (p - r) / div is an exact
 * integer quotient; only when the product leaves the safe range do we pay for BigInt.
 */
export function mulDivHalfEven(amountMinor: number, mul: number | bigint, div: number | bigint): number {
  if (typeof mul === 'number' && typeof div === 'number') {
    const product = amountMinor * mul;
    if (Number.isSafeInteger(product) && Number.isSafeInteger(amountMinor) && Number.isSafeInteger(mul)) {
      assert(Number.isSafeInteger(div), `mulDivHalfEven: divisor ${div} is not a safe integer`);
      return divHalfEvenNumber(product, div);
    }
  }
  assert(Number.isSafeInteger(amountMinor), `mulDivHalfEven: amount ${amountMinor} is not a safe integer`);
  assert(typeof mul === 'bigint' || Number.isSafeInteger(mul), `mulDivHalfEven: multiplier ${mul} is not an integer`);
  assert(typeof div === 'bigint' || Number.isSafeInteger(div), `mulDivHalfEven: divisor ${div} is not an integer`);
  const result = roundHalfEven(BigInt(amountMinor) * BigInt(mul), BigInt(div));
  return toSafeNumber(result);
}

function divHalfEvenNumber(product: number, div: number): number {
  assert(div !== 0, 'mulDivHalfEven: division by zero');
  const remainder = product % div; // sign of product, exact
  const quotient = (product - remainder) / div; // exact: an integer that fits
  const twiceRemainder = Math.abs(remainder) * 2; // exact: doubling a double
  const absDiv = Math.abs(div);
  if (twiceRemainder < absDiv) return quotient + 0; // + 0 turns -0 into 0
  if (twiceRemainder === absDiv && quotient % 2 === 0) return quotient + 0;
  return (product < 0) !== (div < 0) ? quotient - 1 : quotient + 1;
}

/** A BigInt money result back to a Number; an amount beyond 2^53 is a broken invariant. */
export function toSafeNumber(value: bigint): number {
  const n = Number(value);
  assert(Number.isSafeInteger(n), `amount ${value} is beyond the safe integer range`);
  return n;
}

/** An exact non-negative decimal: num / den, den a power of ten, trailing zeros removed. */
export interface Decimal {
  readonly num: bigint;
  readonly den: bigint;
}

/** A parsed decimal plus Number copies for the fast path (NaN when not a safe integer). */
interface CachedDecimal extends Decimal {
  readonly numN: number;
  readonly denN: number;
  /** den × 100 as a Number, for percent rates. */
  readonly percentDenN: number;
}

const DECIMAL_PATTERN = /^(\d{1,30})(?:\.(\d{1,30}))?$/;
/** Rates repeat (a few dozen distinct strings over a 1M-invoice run); the cap only guards
 * against a caller feeding unbounded distinct strings. */
const DECIMAL_CACHE_LIMIT = 10_000;
const decimalCache = new Map<string, CachedDecimal>();

/**
 * Parses '7.25', '18', '0.5', '9.0000' (Postgres numeric text) into an exact fraction. Signs,
 * exponents, blanks and anything else are rejected with a BillflowError naming the value.
 * Cached per string, so the hot path does a Map lookup, not a regex.
 */
export function parseDecimal(s: string): Decimal {
  return cachedDecimal(s);
}

function cachedDecimal(s: string): CachedDecimal {
  const hit = decimalCache.get(s);
  if (hit !== undefined) return hit;
  const parsed = parseDecimalUncached(s);
  if (decimalCache.size >= DECIMAL_CACHE_LIMIT) decimalCache.clear();
  decimalCache.set(s, parsed);
  return parsed;
}

function parseDecimalUncached(s: string): CachedDecimal {
  const match = typeof s === 'string' ? DECIMAL_PATTERN.exec(s) : null;
  if (match === null) {
    throw new BillflowError('invalid_decimal', `not a decimal rate: ${JSON.stringify(s)}`, {
      details: [{ field: 'rate', message: `expected digits with an optional fraction, got ${JSON.stringify(s)}` }],
    });
  }
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  const num = BigInt((match[1] ?? '0') + fraction);
  const den = 10n ** BigInt(fraction.length);
  const numN = Number(num);
  const denN = Number(den);
  const percentDenN = denN * 100;
  return Object.freeze({
    num,
    den,
    numN: Number.isSafeInteger(numN) ? numN : Number.NaN,
    denN: Number.isSafeInteger(denN) ? denN : Number.NaN,
    percentDenN: Number.isSafeInteger(percentDenN) ? percentDenN : Number.NaN,
  });
}

/** round(amountMinor × ratePercent / 100) half-even; e.g. 18% of 1,000.25 → 180.05 (18004.5 → 18004). */
export function percentOfMinor(amountMinor: number, ratePercent: string): number {
  const rate = cachedDecimal(ratePercent);
  if (rate.numN === rate.numN && rate.percentDenN === rate.percentDenN) {
    return mulDivHalfEven(amountMinor, rate.numN, rate.percentDenN);
  }
  return mulDivHalfEven(amountMinor, rate.num, rate.den * 100n);
}

/** Multiplies by a decimal factor (FX rate, ratio), rounding half-even once. */
export function mulDecimalMinor(amountMinor: number, factor: string): number {
  const rate = cachedDecimal(factor);
  if (rate.numN === rate.numN && rate.denN === rate.denN) return mulDivHalfEven(amountMinor, rate.numN, rate.denN);
  return mulDivHalfEven(amountMinor, rate.num, rate.den);
}
