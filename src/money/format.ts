/**
 * Minor units ↔ what people read and type. formatMinor is for display only (PDFs, messages,
 * dashboard): it hands Intl an exact decimal string, so no float ever touches the amount.
 * toMinorUnits is the way in for amounts typed as major units ('1234.50' at the REST API or in
 * a CSV): exact string arithmetic, no `× 100` on a float (0.29 × 100 = 28.999999999999996).
 */
import { BillflowError } from '../errors.ts';
import { exponentOf } from './currencies.ts';

const FALLBACK_LOCALE = 'en';
/** Formatters are costly to build; one per (locale, currency) seen, up to this many. */
const FORMATTER_CACHE_LIMIT = 1_000;
const formatters = new Map<string, Intl.NumberFormat>();

/** '₹1,234.50' for (123450, 'INR', 'en'); '￥1,000' for (1000, 'JPY', 'ja-JP'). */
export function formatMinor(amountMinor: number, currency: string, locale: string = FALLBACK_LOCALE): string {
  const exponent = exponentOf(currency);
  // Intl.NumberFormat v3 formats a decimal string exactly; a Number would lose digits past 2^53.
  return formatterFor(locale, currency, exponent).format(minorToDecimalString(amountMinor, exponent) as `${number}`);
}

function formatterFor(locale: string, currency: string, exponent: number): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (formatter !== undefined) return formatter;
  const options: Intl.NumberFormatOptions = {
    style: 'currency',
    currency,
    // ICU's own digits for a currency can differ from ISO 4217 (e.g. ISK, CLF); the table rules.
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  };
  try {
    formatter = new Intl.NumberFormat(locale, options);
  } catch {
    // A customer's malformed locale must not stop a PDF or a message; fall back to English.
    formatter = new Intl.NumberFormat(FALLBACK_LOCALE, options);
  }
  if (formatters.size >= FORMATTER_CACHE_LIMIT) formatters.clear();
  formatters.set(key, formatter);
  return formatter;
}

/** 123450, exponent 2 → '1234.50'; -5, 2 → '-0.05'; 1000, 0 → '1000'. Exact for any safe integer. */
export function minorToDecimalString(amountMinor: number, exponent: number): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new BillflowError('invalid_amount', `amount ${amountMinor} is not a safe integer of minor units`);
  }
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor));
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

const MAJOR_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * '1234.5' INR → 123450; '1000' JPY → 1000; '1.2345' USD → error (more decimals than USD has).
 * Trailing zeros beyond the exponent are harmless and accepted ('10.00' JPY → 10). A number is
 * read through its shortest round-trip string, so 0.1 + 0.2 (0.30000000000000004) is rejected
 * rather than silently rounded.
 */
export function toMinorUnits(major: string | number, currency: string): number {
  const exponent = exponentOf(currency);
  const text = typeof major === 'number' ? String(major) : major.trim();
  const match = MAJOR_PATTERN.exec(text);
  if (match === null) {
    throw amountError(major, currency, 'expected a decimal such as 1234.50');
  }
  const [, minus, whole = '0', rawFraction = ''] = match;
  const fraction = rawFraction.replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw amountError(major, currency, `${currency} has ${exponent} decimal place(s), got ${fraction.length}`);
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  const value = Number(minus === undefined ? minor : -minor);
  if (!Number.isSafeInteger(value)) {
    throw amountError(major, currency, 'too large to bill');
  }
  return value + 0; // '-0' → 0, not -0
}

function amountError(major: string | number, currency: string, why: string): BillflowError {
  const shown = JSON.stringify(String(major));
  return new BillflowError('invalid_amount', `invalid ${currency} amount ${shown}: ${why}`, {
    details: [{ field: 'amount', message: why }],
  });
}
