import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonthsClamped, billingWindow, nextPeriod } from '../billing/calendar.ts';
import type { LoanInput } from '../billing/types.ts';
import { BillflowError } from '../errors.ts';
import { parseDecimal, roundHalfEven } from '../money/rounding.ts';
import { computeEmiMinor, installmentSchedule, installmentsDueIn, overdueInstallments } from './emi.ts';
import type { Installment } from './emi.ts';

function loan(principalMinor: number, annualRate: string, tenureMonths: number, extra: Partial<LoanInput> = {}): LoanInput {
  return {
    id: 1,
    currency: 'INR',
    principalMinor,
    annualRate,
    tenureMonths,
    firstDueOn: '2026-01-05',
    emiMinor: computeEmiMinor(principalMinor, annualRate, tenureMonths),
    lateFeeMinor: 0,
    paidInstallments: 0,
    status: 'active',
    ...extra,
  };
}

/** [seq, opening, principal, interest, emi, closing] */
function row(i: Installment): number[] {
  return [i.seq, i.openingMinor, i.principalMinor, i.interestMinor, i.emiMinor, i.closingMinor];
}

/**
 * Independent oracle: the EMI is the level payment whose present value is P, so
 * P = E · Σ_{k=1..n} (1+r)^-k, i.e. E = P·(b+a)^n / Σ_{k=1..n} b^k·(b+a)^(n−k) with r = a/b.
 * A different formula from the one in emi.ts (no (1+r)^n − 1 denominator), same exact value.
 */
function emiByAnnuitySum(principalMinor: number, annualRate: string, tenureMonths: number): number {
  const { num, den } = parseDecimal(annualRate);
  const a = num;
  const b = den * 1200n;
  const n = BigInt(tenureMonths);
  let sum = 0n;
  for (let k = 1n; k <= n; k++) sum += b ** k * (b + a) ** (n - k);
  return Number(roundHalfEven(BigInt(principalMinor) * (b + a) ** n, sum));
}

test('worked example: ₹1,00,000.00 at 10.5% for 12 months → EMI ₹8,814.86', () => {
  // EMI = P·r·(1+r)^n / ((1+r)^n − 1), r = 10.5/12/100 = 0.00875 (the RBI / bank EMI formula).
  // (1.00875)^12 = 1.1102033…; 100000 × 0.00875 × 1.1102033 / 0.1102033 = 8,814.8602894…
  // (checked with Python: Decimal at 50 digits and fractions.Fraction). Bank calculators show
  // ₹8,815 because they round to the rupee; the figure 8,814.99 sometimes quoted is not this
  // formula's value. Schedule rows below come from the same Fraction script (interest rounded
  // half-even each month, last installment pays the balance).
  assert.equal(computeEmiMinor(10_000_000, '10.5', 12), 881_486);
  assert.equal(emiByAnnuitySum(10_000_000, '10.5', 12), 881_486);
  const schedule = installmentSchedule(loan(10_000_000, '10.5', 12));
  assert.equal(schedule.length, 12);
  assert.deepEqual(row(schedule[0]!), [1, 10_000_000, 793_986, 87_500, 881_486, 9_206_014]);
  assert.deepEqual(row(schedule[1]!), [2, 9_206_014, 800_933, 80_553, 881_486, 8_405_081]);
  assert.deepEqual(row(schedule[10]!), [11, 1_740_101, 866_260, 15_226, 881_486, 873_841]);
  assert.deepEqual(row(schedule[11]!), [12, 873_841, 873_841, 7_646, 881_487, 0]);
  assert.equal(schedule.reduce((s, i) => s + i.interestMinor, 0), 577_833); // ₹5,778.33
  // Postgres numeric(7,4) text carries trailing zeros; the EMI must not care.
  assert.equal(computeEmiMinor(10_000_000, '10.5000', 12), 881_486);
});

test('the schedule follows the stored EMI, e.g. one a lender rounded up to the rupee', () => {
  const schedule = installmentSchedule({ ...loan(10_000_000, '10.5', 12), emiMinor: 881_500 });
  assert.deepEqual(row(schedule[0]!), [1, 10_000_000, 794_000, 87_500, 881_500, 9_206_000]);
  assert.ok(schedule.slice(0, 11).every((i) => i.emiMinor === 881_500));
  assert.equal(schedule.reduce((s, i) => s + i.principalMinor, 0), 10_000_000);
  assert.ok(schedule[11]!.emiMinor < 881_500); // the last one is a little smaller
});

test('0% loan: equal split half-even, the last installment absorbs the remainder', () => {
  assert.equal(computeEmiMinor(100_000, '0', 3), 33_333);
  assert.deepEqual(installmentSchedule(loan(100_000, '0', 3)).map(row), [
    [1, 100_000, 33_333, 0, 33_333, 66_667],
    [2, 66_667, 33_333, 0, 33_333, 33_334],
    [3, 33_334, 33_334, 0, 33_334, 0],
  ]);
  assert.equal(computeEmiMinor(5, '0.0000', 2), 2); // 2.5 → 2 (even)
  assert.equal(computeEmiMinor(7, '0', 2), 4); // 3.5 → 4 (even)
  // A rounded-up EMI can repay a tiny loan early: no row goes below a zero balance.
  assert.deepEqual(installmentSchedule(loan(11, '0', 7)).map((i) => i.principalMinor), [2, 2, 2, 2, 2, 1, 0]);
});

test('1-month loan: one installment of P·(1 + r)', () => {
  assert.equal(computeEmiMinor(100_000, '12', 1), 101_000);
  assert.deepEqual(installmentSchedule(loan(100_000, '12', 1)).map(row), [[1, 100_000, 100_000, 1_000, 101_000, 0]]);
});

test('KWD (3 decimals) and JPY (0 decimals): minor units in, minor units out', () => {
  // KWD 5,000.000 at 6% for 24 months → KWD 221.603 (Fraction oracle); Σ interest 318.473.
  assert.equal(computeEmiMinor(5_000_000, '6', 24), 221_603);
  const kwd = installmentSchedule(loan(5_000_000, '6', 24, { currency: 'KWD' }));
  assert.deepEqual(row(kwd[23]!), [24, 220_501, 220_501, 1_103, 221_604, 0]);
  assert.equal(kwd.reduce((s, i) => s + i.interestMinor, 0), 318_473);
  // ¥1,000,000 at 1.5% for 36 months → ¥28,425; the last installment is ¥28,419.
  assert.equal(computeEmiMinor(1_000_000, '1.5', 36), 28_425);
  const jpy = installmentSchedule(loan(1_000_000, '1.5', 36, { currency: 'JPY' }));
  assert.deepEqual(row(jpy[35]!), [36, 28_384, 28_384, 35, 28_419, 0]);
});

test('huge principals take the BigInt path and stay exact', () => {
  // 10.1234% → r = 50617/6000000; 10^15 × 50617 is far beyond 2^53.
  const big = loan(1e15, '10.1234', 60);
  assert.equal(big.emiMinor, 21_307_813_460_558);
  const schedule = installmentSchedule(big);
  assert.deepEqual(row(schedule[0]!), [1, 1e15, 12_871_646_793_891, 8_436_166_666_667, 21_307_813_460_558, 987_128_353_206_109]);
  assert.deepEqual(row(schedule[59]!), [60, 21_129_560_962_675, 21_129_560_962_675, 178_252_497_875, 21_307_813_460_550, 0]);
});

test('computeEmiMinor agrees with the annuity-sum oracle across rates and tenures', () => {
  const rates = ['0.01', '1', '7.25', '10.5', '12', '18.99', '24', '36.5', '99.9999'];
  const principals = [1_000, 99_999, 10_000_000, 123_456_789, 5_000_000_000];
  for (const rate of rates) {
    for (const tenure of [1, 2, 6, 12, 24, 37, 60, 120]) {
      for (const p of principals) {
        assert.equal(computeEmiMinor(p, rate, tenure), emiByAnnuitySum(p, rate, tenure), `${p} ${rate} ${tenure}`);
      }
    }
  }
});

test('schedule invariants on many loans: Σ principal = P, closes at 0, rows chain', () => {
  let seed = 42;
  const random = (max: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % max;
  for (let i = 0; i < 400; i++) {
    const p = 1 + random(2_000_000_000);
    const rate = `${random(40)}.${String(random(10_000)).padStart(4, '0')}`;
    const tenure = 1 + random(480);
    let l: LoanInput;
    try {
      l = loan(p, rate, tenure, { firstDueOn: `2026-0${1 + random(9)}-${10 + random(19)}` });
    } catch (err) {
      assert.ok(err instanceof BillflowError && err.code === 'invalid_loan'); // EMI rounds to 0
      continue;
    }
    const schedule = installmentSchedule(l);
    assert.equal(schedule.length, tenure);
    assert.equal(schedule.reduce((s, x) => s + x.principalMinor, 0), p);
    assert.equal(schedule.at(-1)?.closingMinor, 0);
    schedule.forEach((x, k) => {
      assert.equal(x.seq, k + 1);
      assert.equal(x.openingMinor - x.principalMinor, x.closingMinor);
      assert.equal(x.emiMinor, x.principalMinor + x.interestMinor);
      assert.ok(x.principalMinor >= 0 && x.closingMinor >= 0);
      if (k > 0) assert.equal(x.openingMinor, schedule[k - 1]?.closingMinor);
      if (k < tenure - 1 && x.closingMinor > 0) assert.equal(x.emiMinor, l.emiMinor);
      assert.equal(x.dueOn, addMonthsClamped(l.firstDueOn, k));
    });
  }
});

test('due dates stay anchored to the first due day (no drift after February)', () => {
  const dues = installmentSchedule(loan(1_200_000, '9', 6, { firstDueOn: '2026-01-31' })).map((i) => i.dueOn);
  assert.deepEqual(dues, ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30']);
});

test('installmentsDueIn: consecutive windows pick each installment exactly once', () => {
  for (const firstDueOn of ['2026-01-05', '2026-01-28', '2026-01-30', '2026-01-31', '2026-02-01']) {
    const l = loan(3_000_000, '14', 24, { firstDueOn });
    const schedule = installmentSchedule(l);
    for (const anchor of [1, 5, 15, 28, 29, 30, 31]) {
      const seen: Installment[] = [];
      let period = '2025-10';
      for (let i = 0; i < 32; i++) {
        const window = billingWindow(period, anchor);
        const due = installmentsDueIn(l, window);
        const expected = schedule.filter((x) => x.dueOn >= window.start && x.dueOn < window.end);
        assert.deepEqual(due, expected, `${firstDueOn} anchor ${anchor} ${period}`);
        seen.push(...due);
        period = nextPeriod(period);
      }
      assert.deepEqual(seen, schedule, `${firstDueOn} anchor ${anchor}`);
    }
  }
});

test('installmentsDueIn: windows outside the schedule and multi-month windows', () => {
  const l = loan(1_000_000, '10', 6, { firstDueOn: '2026-03-15' });
  assert.deepEqual(installmentsDueIn(l, { start: '2026-01-01', end: '2026-03-15' }), []);
  assert.deepEqual(installmentsDueIn(l, { start: '2026-09-16', end: '2027-01-01' }), []);
  assert.deepEqual(installmentsDueIn(l, { start: '2026-03-15', end: '2026-03-16' }).map((i) => i.seq), [1]);
  assert.deepEqual(installmentsDueIn(l, { start: '2026-04-16', end: '2026-07-15' }).map((i) => i.seq), [3, 4]);
  assert.deepEqual(installmentsDueIn(l, { start: '2020-01-01', end: '2030-01-01' }), installmentSchedule(l));
});

test('overdueInstallments: unpaid and due strictly before the date', () => {
  const l = loan(1_000_000, '10', 6, { firstDueOn: '2026-03-15', paidInstallments: 1 });
  const schedule = installmentSchedule(l);
  assert.deepEqual(overdueInstallments(l, '2026-03-16'), []);
  assert.deepEqual(overdueInstallments(l, '2026-05-15').map((i) => i.seq), [2]);
  assert.deepEqual(overdueInstallments(l, '2026-05-16'), schedule.slice(1, 3));
  assert.deepEqual(overdueInstallments({ ...l, paidInstallments: 6 }, '2030-01-01'), []);
  assert.deepEqual(overdueInstallments({ ...l, paidInstallments: 0 }, '2030-01-01'), schedule);
});

test('bad loans are rejected with invalid_loan / invalid_date', () => {
  const isCode = (code: string, field?: string) => (err: unknown) =>
    err instanceof BillflowError && err.code === code && (field === undefined || err.details[0]?.field === field);
  assert.throws(() => computeEmiMinor(0, '10', 12), isCode('invalid_loan', 'principalMinor'));
  assert.throws(() => computeEmiMinor(100.5, '10', 12), isCode('invalid_loan', 'principalMinor'));
  assert.throws(() => computeEmiMinor(100_000, '-1', 12), isCode('invalid_loan', 'annualRate'));
  assert.throws(() => computeEmiMinor(100_000, '1e2', 12), isCode('invalid_loan', 'annualRate'));
  assert.throws(() => computeEmiMinor(100_000, '10', 0), isCode('invalid_loan', 'tenureMonths'));
  assert.throws(() => computeEmiMinor(100_000, '10', 481), isCode('invalid_loan', 'tenureMonths'));
  assert.throws(() => computeEmiMinor(5, '0', 12), isCode('invalid_loan', 'principalMinor'));
  const good = loan(100_000, '10', 12);
  assert.throws(() => installmentSchedule({ ...good, emiMinor: 0 }), isCode('invalid_loan', 'loan.emiMinor'));
  assert.throws(() => installmentSchedule({ ...good, firstDueOn: '2026-02-30' }), isCode('invalid_date'));
  assert.throws(() => overdueInstallments(good, '2026-13-01'), isCode('invalid_date'));
  assert.throws(() => overdueInstallments({ ...good, paidInstallments: -1 }, '2026-12-01'), isCode('invalid_loan'));
});
