/**
 * Equated monthly installments by the standard amortization formula
 *
 *   EMI = P · r · (1 + r)^n / ((1 + r)^n − 1),   r = annual rate / 12 / 100,
 *
 * (the reducing-balance EMI formula published by the RBI and used by Indian banks' calculators).
 * With r = a/b exactly this is P·a·(b+a)^n / (b·((b+a)^n − b^n)): integers only, so the EMI is
 * the exact rational rounded half-even once. A float would drift by a paisa on long tenures.
 *
 * The schedule is a pure function of the loans row: interest on the opening balance rounded
 * half-even every month, the rest of the EMI repays principal, and the last installment pays
 * whatever balance is left so the loan closes at exactly 0.
 */
import { addMonthsClamped, daysInMonth, toDayNumber } from '../billing/calendar.ts';
import type { DateWindow } from '../billing/calendar.ts';
import type { IsoDate, LoanInput } from '../billing/types.ts';
import { BillflowError } from '../errors.ts';
import { mulDivHalfEven, parseDecimal, roundHalfEven, toSafeNumber } from '../money/rounding.ts';

export interface Installment {
  seq: number; // 1-based
  dueOn: IsoDate;
  openingMinor: number;
  principalMinor: number;
  interestMinor: number;
  emiMinor: number; // principal + interest of this installment
  closingMinor: number;
}

/** Same bound as loans.tenure_months in 0001_core.sql. */
const MAX_TENURE_MONTHS = 480;

/** Monthly rate a/b in lowest terms, with Number copies for the fast path (NaN if unsafe). */
interface MonthlyRate {
  a: bigint;
  b: bigint;
  aN: number;
  bN: number;
}

/*
 * Millions of loans share a handful of rates and tenures, so the exact factors are built once.
 * The caches are cleared when full: the bound only guards against unbounded distinct inputs.
 */
const CACHE_LIMIT = 1024;
const rateCache = new Map<string, MonthlyRate>();
const emiFactorCache = new Map<string, { numerator: bigint; denominator: bigint }>();

function invalidLoan(field: string, message: string): BillflowError {
  return new BillflowError('invalid_loan', `${field}: ${message}`, { details: [{ field, message }] });
}

function gcd(x: bigint, y: bigint): bigint {
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function monthlyRate(annualRate: string): MonthlyRate {
  const cached = rateCache.get(annualRate);
  if (cached !== undefined) return cached;
  let decimal;
  try {
    decimal = parseDecimal(annualRate);
  } catch {
    throw invalidLoan('annualRate', `expected a non-negative decimal percent, got '${String(annualRate)}'`);
  }
  // r = num / den / 100 / 12 in lowest terms; 0% becomes 0/1.
  const divisor = gcd(decimal.num, decimal.den * 1200n);
  const a = decimal.num / divisor;
  const b = (decimal.den * 1200n) / divisor;
  const aN = Number(a);
  const bN = Number(b);
  const rate = Object.freeze({
    a,
    b,
    aN: Number.isSafeInteger(aN) ? aN : Number.NaN,
    bN: Number.isSafeInteger(bN) ? bN : Number.NaN,
  });
  if (rateCache.size >= CACHE_LIMIT) rateCache.clear();
  rateCache.set(annualRate, rate);
  return rate;
}

/** round(balance × r) half-even: Number arithmetic while exact, BigInt beyond. */
function interestMinor(openingMinor: number, rate: MonthlyRate): number {
  if (rate.aN === rate.aN && rate.bN === rate.bN) return mulDivHalfEven(openingMinor, rate.aN, rate.bN);
  return mulDivHalfEven(openingMinor, rate.a, rate.b);
}

function checkTenure(tenureMonths: number, field: string): void {
  if (!Number.isInteger(tenureMonths) || tenureMonths < 1 || tenureMonths > MAX_TENURE_MONTHS) {
    throw invalidLoan(field, `expected whole months 1–${MAX_TENURE_MONTHS}, got ${String(tenureMonths)}`);
  }
}

function checkPositiveMinor(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw invalidLoan(field, `expected a positive whole number of minor units, got ${String(value)}`);
  }
}

function emiFactors(annualRate: string, tenureMonths: number): { numerator: bigint; denominator: bigint } {
  const key = `${annualRate}|${tenureMonths}`;
  const cached = emiFactorCache.get(key);
  if (cached !== undefined) return cached;
  const { a, b } = monthlyRate(annualRate);
  const n = BigInt(tenureMonths);
  const growth = (b + a) ** n;
  const factors =
    a === 0n
      ? { numerator: 1n, denominator: n } // 0%: P / n
      : { numerator: a * growth, denominator: b * (growth - b ** n) };
  if (emiFactorCache.size >= CACHE_LIMIT) emiFactorCache.clear();
  emiFactorCache.set(key, Object.freeze(factors));
  return factors;
}

/**
 * The EMI in minor units, rounded half-even once. A 0% loan splits P / n half-even; the last
 * installment of the schedule absorbs the remainder. Throws invalid_loan when the EMI would
 * round to 0 (the loans table requires emi_minor > 0): the principal is too small to split.
 */
export function computeEmiMinor(principalMinor: number, annualRate: string, tenureMonths: number): number {
  checkPositiveMinor(principalMinor, 'principalMinor');
  checkTenure(tenureMonths, 'tenureMonths');
  const { numerator, denominator } = emiFactors(annualRate, tenureMonths);
  const emi = toSafeNumber(roundHalfEven(BigInt(principalMinor) * numerator, denominator));
  if (emi === 0) {
    const message = `${principalMinor} minor units over ${tenureMonths} months rounds to an EMI of 0`;
    throw invalidLoan('principalMinor', message);
  }
  return emi;
}

function checkLoan(loan: LoanInput): MonthlyRate {
  checkPositiveMinor(loan.principalMinor, 'loan.principalMinor');
  checkPositiveMinor(loan.emiMinor, 'loan.emiMinor');
  checkTenure(loan.tenureMonths, 'loan.tenureMonths');
  if (!Number.isInteger(loan.paidInstallments) || loan.paidInstallments < 0) {
    throw invalidLoan('loan.paidInstallments', `expected a whole number ≥ 0, got ${String(loan.paidInstallments)}`);
  }
  toDayNumber(loan.firstDueOn); // throws invalid_date
  return monthlyRate(loan.annualRate);
}

/**
 * Rows fromSeq..toSeq of the schedule. Balances are walked from the first installment (each
 * depends on every earlier rounding), but only the rows asked for are allocated.
 */
function scheduleRows(loan: LoanInput, rate: MonthlyRate, fromSeq: number, toSeq: number): Installment[] {
  const rows: Installment[] = [];
  const lastSeq = loan.tenureMonths;
  let balance = loan.principalMinor;
  for (let seq = 1; seq <= toSeq; seq++) {
    const interest = interestMinor(balance, rate);
    // Never negative principal (an EMI below the interest, only with tiny or hand-set EMIs) and
    // never more than the balance (a 0% EMI rounded up): no row may push the balance below 0.
    const principal = seq === lastSeq ? balance : Math.min(Math.max(loan.emiMinor - interest, 0), balance);
    if (seq >= fromSeq) {
      rows.push({
        seq,
        dueOn: addMonthsClamped(loan.firstDueOn, seq - 1),
        openingMinor: balance,
        principalMinor: principal,
        interestMinor: interest,
        emiMinor: principal + interest,
        closingMinor: balance - principal,
      });
    }
    balance -= principal;
  }
  return rows;
}

export function installmentSchedule(loan: LoanInput): Installment[] {
  const rate = checkLoan(loan);
  return scheduleRows(loan, rate, 1, loan.tenureMonths);
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + s.charCodeAt(at + 1) - 48;
}

/**
 * The first seq (1-based, unbounded above) whose due date is on or after `date`, without
 * building any date string: installment k falls in month (first month + k − 1), on the first
 * due day clamped to that month's length. Both arguments must already be valid dates.
 */
function firstSeqOnOrAfter(firstDueOn: IsoDate, date: IsoDate): number {
  const dateYear = twoDigits(date, 0) * 100 + twoDigits(date, 2);
  const dateMonth = twoDigits(date, 5);
  const firstMonths = (twoDigits(firstDueOn, 0) * 100 + twoDigits(firstDueOn, 2)) * 12 + twoDigits(firstDueOn, 5);
  const seq = dateYear * 12 + dateMonth - firstMonths + 1; // the installment due in date's month
  if (seq < 1) return 1;
  const dueDay = Math.min(twoDigits(firstDueOn, 8), daysInMonth(dateYear, dateMonth));
  return dueDay < twoDigits(date, 8) ? seq + 1 : seq;
}

/** Installments with window.start ≤ dueOn < window.end (any payment status). */
export function installmentsDueIn(loan: LoanInput, window: DateWindow): Installment[] {
  const rate = checkLoan(loan);
  toDayNumber(window.start);
  toDayNumber(window.end);
  const fromSeq = firstSeqOnOrAfter(loan.firstDueOn, window.start);
  const toSeq = Math.min(loan.tenureMonths, firstSeqOnOrAfter(loan.firstDueOn, window.end) - 1);
  return fromSeq > toSeq ? [] : scheduleRows(loan, rate, fromSeq, toSeq);
}

/** Unpaid installments due before `before`: seq > paidInstallments and dueOn < before. */
export function overdueInstallments(loan: LoanInput, before: IsoDate): Installment[] {
  const rate = checkLoan(loan);
  toDayNumber(before);
  const fromSeq = loan.paidInstallments + 1;
  const toSeq = Math.min(loan.tenureMonths, firstSeqOnOrAfter(loan.firstDueOn, before) - 1);
  return fromSeq > toSeq ? [] : scheduleRows(loan, rate, fromSeq, toSeq);
}
