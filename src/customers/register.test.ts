import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { fullName, registerUser, type CustomerDefaults, type RegisterUserInput } from './index.ts';
import { expectBillflowError, fixedClock, rowCounts } from './test-helpers.ts';

let tdb: TestDatabase;
before(async () => {
  tdb = await createTestDatabase();
});
after(async () => {
  await tdb.drop();
});

const defaults: CustomerDefaults = { currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in', locale: 'en' };
const deps = () => ({ db: tdb.pool, clock: fixedClock('2026-11-05T10:00:00Z') });
const user: RegisterUserInput = {
  firstname: 'Ravi',
  middlename: '',
  lastname: 'Kumar',
  email: 'Ravi.Kumar@Example.com',
  mobile: '9812345678',
};

test('fullName joins non-empty parts with single spaces', () => {
  assert.equal(fullName('Ravi', '', 'Kumar'), 'Ravi Kumar');
  assert.equal(fullName(' Ravi ', 'Shankar  Prasad', 'Kumar'), 'Ravi Shankar Prasad Kumar');
  assert.equal(fullName('Ravi', undefined, 'Kumar'), 'Ravi Kumar');
});

test('registers with the defaults; dob goes to metadata', async () => {
  const c = await registerUser(deps(), { ...user, dob: '1990-02-28' }, defaults);
  assert.equal(c.name, 'Ravi Kumar');
  assert.equal(c.email, 'ravi.kumar@example.com');
  assert.equal(c.phone, '9812345678');
  assert.equal(c.currency, 'INR');
  assert.equal(c.taxRegion, 'IN-MH');
  assert.equal(c.legalEntityId, 'in');
  assert.deepEqual(c.metadata, { dob: '1990-02-28' });
});

test('a second registration with the same e-mail is a 409 on email', async () => {
  const before = await rowCounts(tdb.pool, ['customers']);
  await expectBillflowError(() => registerUser(deps(), { ...user, email: 'RAVI.kumar@example.com' }, defaults), {
    code: 'conflict',
    httpStatus: 409,
    field: 'email',
  });
  assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
});

const bad: [string, Record<string, unknown>, string][] = [
  ['missing firstname', { firstname: undefined }, 'firstname'],
  ['empty lastname', { lastname: '' }, 'lastname'],
  ['oversized firstname', { firstname: 'R'.repeat(65) }, 'firstname'],
  ['bad e-mail', { email: 'ravi' }, 'email'],
  ['missing mobile', { mobile: undefined }, 'mobile'],
  ['mobile with spaces', { mobile: '98123 45678' }, 'mobile'],
  ['mobile as number', { mobile: 9812345678 }, 'mobile'],
  ['malformed dob', { dob: '1990-02-30' }, 'dob'],
  ['dob in another format', { dob: '28/02/1990' }, 'dob'],
  ['dob in the future', { dob: '2030-01-01' }, 'dob'],
  ['extra field', { password: 'x' }, 'password'],
];
for (const [name, change, field] of bad) {
  test(`rejects ${name} naming ${field}, writing nothing`, async () => {
    const before = await rowCounts(tdb.pool, ['customers']);
    await expectBillflowError(() => registerUser(deps(), { ...user, email: 'new@example.com', ...change } as never, defaults), {
      code: 'invalid_input',
      httpStatus: 400,
      field,
    });
    assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
  });
}

test('bad defaults are named under defaults.*', async () => {
  await expectBillflowError(() => registerUser(deps(), { ...user, email: 'd@example.com' }, { ...defaults, currency: 'XYZ' }), {
    code: 'invalid_input',
    httpStatus: 400,
    field: 'defaults.currency',
  });
  await expectBillflowError(() => registerUser(deps(), { ...user, email: 'd@example.com' }, { ...defaults, legalEntityId: 'mars' }), {
    code: 'invalid_input',
    httpStatus: 400,
    field: 'defaults.legalEntityId',
  });
});
