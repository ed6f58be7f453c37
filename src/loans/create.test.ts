import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { expectBillflowError, insertTestCustomer, rowCounts } from '../customers/test-helpers.ts';
import { computeEmiMinor, createLoan, getLoan, getLoanSchedule, type CreateLoanInput } from './index.ts';

let tdb: TestDatabase;
const deps = () => ({ db: tdb.pool });
let customerId: number;

before(async () => {
  tdb = await createTestDatabase();
  customerId = await insertTestCustomer(tdb.pool);
});
after(async () => {
  await tdb.drop();
});

const terms = (): CreateLoanInput => ({
  customerId, currency: 'INR', principalMinor: 10_000_000, annualRate: '10.5', tenureMonths: 12, firstDueOn: '2026-01-31', lateFeeMinor: 50_000,
});

test('stores the EMI and returns the schedule from the row', async () => {
  const loan = await createLoan(deps(), terms());
  assert.equal(loan.emiMinor, computeEmiMinor(10_000_000, '10.5', 12));
  assert.equal(loan.annualRate, '10.5000');
  assert.equal(loan.paidInstallments, 0);
  assert.deepEqual(await getLoan(tdb.pool, loan.id), loan);
  const schedule = await getLoanSchedule(tdb.pool, loan.id);
  assert.equal(schedule.length, 12);
  assert.equal(schedule[1]!.dueOn, '2026-02-28');
  assert.equal(schedule.reduce((sum, row) => sum + row.principalMinor, 0), 10_000_000);
  assert.equal(schedule.at(-1)!.closingMinor, 0);
});

test('a 0% loan and the default late fee', async () => {
  const { lateFeeMinor: _omit, ...rest } = terms();
  const loan = await createLoan(deps(), { ...rest, annualRate: '0', principalMinor: 1200, tenureMonths: 12 });
  assert.equal(loan.emiMinor, 100);
  assert.equal(loan.lateFeeMinor, 0);
});

const bad: [string, Record<string, unknown>, string, string, number][] = [
  ['unknown currency', { currency: 'XYZ' }, 'currency', 'invalid_input', 400],
  ['currency other than the customer\'s', { currency: 'USD' }, 'currency', 'invalid_input', 400],
  ['zero principal', { principalMinor: 0 }, 'principalMinor', 'invalid_input', 400],
  ['fractional principal', { principalMinor: 100.5 }, 'principalMinor', 'invalid_input', 400],
  ['principal as string', { principalMinor: '10000' }, 'principalMinor', 'invalid_input', 400],
  ['principal beyond safe integers', { principalMinor: 2 ** 53 }, 'principalMinor', 'invalid_input', 400],
  ['principal too small to split', { principalMinor: 5, annualRate: '0', tenureMonths: 12 }, 'principalMinor', 'invalid_input', 400],
  ['rate as number', { annualRate: 10.5 }, 'annualRate', 'invalid_input', 400],
  ['rate of 100', { annualRate: '100' }, 'annualRate', 'invalid_input', 400],
  ['negative rate', { annualRate: '-1' }, 'annualRate', 'invalid_input', 400],
  ['rate with 5 decimals', { annualRate: '10.12345' }, 'annualRate', 'invalid_input', 400],
  ['tenure 0', { tenureMonths: 0 }, 'tenureMonths', 'invalid_input', 400],
  ['tenure 481', { tenureMonths: 481 }, 'tenureMonths', 'invalid_input', 400],
  ['tenure 1.5', { tenureMonths: 1.5 }, 'tenureMonths', 'invalid_input', 400],
  ['impossible first due date', { firstDueOn: '2026-02-29' }, 'firstDueOn', 'invalid_input', 400],
  ['negative late fee', { lateFeeMinor: -1 }, 'lateFeeMinor', 'invalid_input', 400],
  ['missing customer id', { customerId: undefined }, 'customerId', 'invalid_input', 400],
  ['unknown field', { emiMinor: 1 }, 'emiMinor', 'invalid_input', 400],
  ['unknown customer', { customerId: 999999 }, 'customerId', 'customer_not_found', 404],
];
for (const [name, change, field, code, httpStatus] of bad) {
  test(`rejects ${name} naming ${field}, writing nothing`, async () => {
    const before = await rowCounts(tdb.pool, ['loans']);
    await expectBillflowError(() => createLoan(deps(), { ...terms(), ...change } as never), { code, httpStatus, field });
    assert.deepEqual(await rowCounts(tdb.pool, ['loans']), before);
  });
}

test('unknown loan is loan_not_found', async () => {
  await expectBillflowError(() => getLoanSchedule(tdb.pool, 999999), { code: 'loan_not_found', httpStatus: 404, field: 'loanId' });
  await expectBillflowError(() => getLoanSchedule(tdb.pool, 0), { code: 'invalid_input', httpStatus: 400, field: 'loanId' });
});
