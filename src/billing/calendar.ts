/**
 * UTC calendar-day math on 'YYYY-MM-DD' strings and 'YYYY-MM' periods.
 *
 * Why no Date: `new Date('2026-03-01')` is UTC but `new Date(2026, 2, 1)` is local time, and
 * every billing run calls these functions millions of times. A date is turned into an integer
 * day number (days since 1970-01-01, the proleptic Gregorian calendar, as in Postgres `date`)
 * with plain integer arithmetic, and turned back through a small cache because building the
 * string is the only allocation on the hot path.
 */
import { BillflowError } from '../errors.ts';
import type { IsoDate } from './types.ts';

export interface DateWindow {
  start: IsoDate; // inclusive
  end: IsoDate; // exclusive
}

const MIN_PERIOD_YEAR = 1970;
const MAX_YEAR = 9999;
/** Day numbers of 0001-01-01 and 9999-12-31: the range a 4-digit ISO date can spell. */
const MIN_DAY_NUMBER = -719162;
const MAX_DAY_NUMBER = 2932896;
const CHAR_0 = 48;
const CHAR_DASH = 45;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new Error(`assertion failed: daysInMonth(${year}, ${month}): month must be an integer 1–12`);
  }
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

function quote(s: unknown): string {
  const text = String(s);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function invalidDate(value: unknown, field = 'date'): BillflowError {
  const message = `expected a calendar date YYYY-MM-DD (e.g. 2026-11-05), got '${quote(value)}'`;
  return new BillflowError('invalid_date', `${field}: ${message}`, { details: [{ field, message }] });
}

function invalidPeriod(value: unknown, why = ''): BillflowError {
  const message = `expected YYYY-MM (e.g. 2026-11), got '${quote(value)}'${why}`;
  return new BillflowError('invalid_period', `period: ${message}`, {
    details: [{ field: 'period', message }],
  });
}

/** Value of `count` ASCII digits at `from`, or -1 if any of them is not a digit. */
function digitsAt(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = s.charCodeAt(i) - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return n >= 1000 ? String(n) : String(n).padStart(4, '0');
}

// ── day numbers (H. Hinnant, "chrono-compatible low-level date algorithms", days_from_civil) ──

function dayNumberOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Year, month and day of a valid 'YYYY-MM-DD', packed as y*10000 + m*100 + d; -1 if invalid. */
function parseIsoDatePacked(s: unknown): number {
  if (typeof s !== 'string' || s.length !== 10) return -1;
  if (s.charCodeAt(4) !== CHAR_DASH || s.charCodeAt(7) !== CHAR_DASH) return -1;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return -1;
  if (day > (month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!)) return -1;
  return year * 10000 + month * 100 + day;
}

export function isIsoDate(s: unknown): s is IsoDate {
  return parseIsoDatePacked(s) !== -1;
}

/** Days since 1970-01-01 (negative before). Throws invalid_date for anything but a real date. */
export function toDayNumber(d: IsoDate): number {
  const packed = parseIsoDatePacked(d);
  if (packed === -1) throw invalidDate(d);
  return dayNumberOf(Math.floor(packed / 10000), Math.floor(packed / 100) % 100, packed % 100);
}

/*
 * Billing runs format the same few hundred days over and over (window starts, due dates), so
 * the strings are kept. The cache is cleared when full rather than evicted one by one: a run
 * touches a narrow band of days, so a clear costs a few misses and keeps this loop-free.
 */
const FORMAT_CACHE_LIMIT = 4096;
const formatCache = new Map<number, IsoDate>();

export function fromDayNumber(n: number): IsoDate {
  const cached = formatCache.get(n);
  if (cached !== undefined) return cached;
  if (!Number.isInteger(n) || n < MIN_DAY_NUMBER || n > MAX_DAY_NUMBER) {
    throw new Error(`assertion failed: day number ${n} is outside 0001-01-01..9999-12-31`);
  }
  // civil_from_days, same source as dayNumberOf.
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const formatted = `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
  if (formatCache.size >= FORMAT_CACHE_LIMIT) formatCache.clear();
  formatCache.set(n, formatted);
  return formatted;
}

/** b − a in days (negative when b is before a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

export function addDays(d: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new Error(`assertion failed: addDays by ${days} days`);
  return fromDayNumber(toDayNumber(d) + days);
}

/**
 * Same day-of-month `months` later (or earlier), clamped to the target month's last day:
 * 2026-01-31 + 1 → 2026-02-28. Always computed from the original date, so a schedule built as
 * addMonthsClamped(first, k) returns to the 31st after February instead of drifting to the 28th.
 */
export function addMonthsClamped(d: IsoDate, months: number): IsoDate {
  const packed = parseIsoDatePacked(d);
  if (packed === -1) throw invalidDate(d);
  if (!Number.isInteger(months)) throw new Error(`assertion failed: addMonthsClamped by ${months}`);
  const monthIndex = Math.floor(packed / 10000) * 12 + (Math.floor(packed / 100) % 100) - 1 + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  if (year < 1 || year > MAX_YEAR) {
    throw new Error(`assertion failed: ${d} + ${months} months leaves years 0001–9999`);
  }
  const day = Math.min(packed % 100, daysInMonth(year, month));
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

// ── periods ──

export function parsePeriod(period: string): { year: number; month: number } {
  if (typeof period !== 'string' || period.length !== 7 || period.charCodeAt(4) !== CHAR_DASH) {
    throw invalidPeriod(period);
  }
  const year = digitsAt(period, 0, 4);
  const month = digitsAt(period, 5, 2);
  if (year < MIN_PERIOD_YEAR || year > MAX_YEAR || month < 1 || month > 12) throw invalidPeriod(period);
  return { year, month };
}

function formatPeriod(year: number, month: number): string {
  return `${year}-${pad2(month)}`;
}

export function nextPeriod(period: string): string {
  const { year, month } = parsePeriod(period);
  if (year === MAX_YEAR && month === 12) throw invalidPeriod(period, ' (no period after 9999-12)');
  return month === 12 ? formatPeriod(year + 1, 1) : formatPeriod(year, month + 1);
}

export function previousPeriod(period: string): string {
  const { year, month } = parsePeriod(period);
  if (year === MIN_PERIOD_YEAR && month === 1) throw invalidPeriod(period, ' (no period before 1970-01)');
  return month === 1 ? formatPeriod(year - 1, 12) : formatPeriod(year, month - 1);
}

/** The calendar month a date falls in ('2026-11-05' → '2026-11'); not the customer's window. */
export function periodOf(date: IsoDate): string {
  if (!isIsoDate(date)) throw invalidDate(date);
  const period = date.slice(0, 7);
  parsePeriod(period); // a date before 1970 has no billing period
  return period;
}

// ── billing windows ──

function checkAnchorDay(anchorDay: number): void {
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31) {
    const message = `expected an integer 1–31, got ${quote(anchorDay)}`;
    throw new BillflowError('invalid_input', `anchorDay: ${message}`, {
      details: [{ field: 'anchorDay', message }],
    });
  }
}

function computeWindowStart(year: number, month: number, anchorDay: number): IsoDate {
  return `${year}-${pad2(month)}-${pad2(Math.min(anchorDay, daysInMonth(year, month)))}`;
}

/**
 * First day of the customer's window in `period`: the anchor day, clamped to the month's last
 * day. Mirrors SQL billflow_window_start(period, anchor) in db/migrations/0001_core.sql, which
 * the loader uses to aggregate usage; the two must agree day for day.
 */
export function windowStart(period: string, anchorDay: number): IsoDate {
  checkAnchorDay(anchorDay);
  const { year, month } = parsePeriod(period);
  return computeWindowStart(year, month, anchorDay);
}

/*
 * A run bills one period for millions of customers with 31 possible anchors, so windows are
 * cached per (period, anchor) and shared; they are frozen so a caller cannot corrupt another's.
 */
const WINDOW_CACHE_PERIODS_LIMIT = 256;
const windowCache = new Map<string, Array<Readonly<DateWindow> | undefined>>();

/**
 * The customer's billing window for `period`: [windowStart(period), windowStart(next period)).
 * Anchor 31 gives 2026-01-31 → 2026-02-28 → 2026-03-31: February clamps, March does not.
 */
export function billingWindow(period: string, anchorDay: number): Readonly<DateWindow> {
  const byAnchor = windowCache.get(period);
  const cached = byAnchor?.[anchorDay];
  if (cached !== undefined) return cached;
  const window = Object.freeze({
    start: windowStart(period, anchorDay),
    end: windowStart(nextPeriod(period), anchorDay),
  });
  if (byAnchor === undefined) {
    if (windowCache.size >= WINDOW_CACHE_PERIODS_LIMIT) windowCache.clear();
    const fresh: Array<Readonly<DateWindow> | undefined> = [];
    fresh[anchorDay] = window;
    windowCache.set(period, fresh);
  } else {
    byAnchor[anchorDay] = window;
  }
  return window;
}
