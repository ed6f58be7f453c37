import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import {
  createCustomer,
  findCustomerByEmailOrId,
  getCustomer,
  listCustomers,
  updateCustomer,
  type CreateCustomerInput,
} from './index.ts';
import { expectBillflowError, rowCounts } from './test-helpers.ts';

let tdb: TestDatabase;
before(async () => {
  tdb = await createTestDatabase();
});
after(async () => {
  await tdb.drop();
});

const valid = {
  name: 'Asha Rao',
  email: 'Asha.Rao@Example.COM',
  phone: '+919812345678',
  currency: 'INR',
  country: 'in',
  taxRegion: 'IN-MH',
  locale: 'en-in',
  legalEntityId: 'in',
} satisfies CreateCustomerInput;

describe('createCustomer', () => {
  test('writes a normalised customer with defaults', async () => {
    const c = await createCustomer({ db: tdb.pool }, { ...valid, externalId: 'crm-1', metadata: { plan: 'gold' } });
    assert.equal(c.email, 'asha.rao@example.com');
    assert.equal(c.country, 'IN');
    assert.equal(c.locale, 'en-IN');
    assert.equal(c.billingAnchorDay, 1);
    assert.equal(c.status, 'active');
    assert.deepEqual(c.metadata, { plan: 'gold' });
    assert.deepEqual(await getCustomer(tdb.pool, c.id), c);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['unknown currency', { currency: 'XYZ' }, 'currency'],
    ['currency of wrong type', { currency: 356 }, 'currency'],
    ['missing name', { name: undefined }, 'name'],
    ['blank name', { name: '   ' }, 'name'],
    ['oversized name', { name: 'x'.repeat(201) }, 'name'],
    ['malformed e-mail', { email: 'asha@' }, 'email'],
    ['phone with letters', { phone: '+91-98123-ABC' }, 'phone'],
    ['phone too short', { phone: '12345' }, 'phone'],
    ['whatsapp too long', { whatsapp: '+1234567890123456' }, 'whatsapp'],
    ['3-letter country', { country: 'IND' }, 'country'],
    ['bad locale', { locale: 'english_US' }, 'locale'],
    ['anchor day 32', { billingAnchorDay: 32 }, 'billingAnchorDay'],
    ['anchor day 1.5', { billingAnchorDay: 1.5 }, 'billingAnchorDay'],
    ['anchor day as string', { billingAnchorDay: '5' }, 'billingAnchorDay'],
    ['unknown status', { status: 'deleted' }, 'status'],
    ['metadata not an object', { metadata: [1, 2] }, 'metadata'],
    ['oversized external id', { externalId: 'e'.repeat(201) }, 'externalId'],
    ['extra unknown field', { nickname: 'A' }, 'nickname'],
    ['missing legal entity', { legalEntityId: undefined }, 'legalEntityId'],
    ['unknown tax region', { taxRegion: 'XX-YY' }, 'taxRegion'],
    ['unknown legal entity', { legalEntityId: 'mars' }, 'legalEntityId'],
  ];
  for (const [name, change, field] of bad) {
    test(`rejects ${name} naming ${field}, writing nothing`, async () => {
      const before = await rowCounts(tdb.pool, ['customers']);
      const input = { ...valid, email: `${field}-${name.length}@example.com`, ...change };
      await expectBillflowError(() => createCustomer({ db: tdb.pool }, input as CreateCustomerInput), {
        code: 'invalid_input',
        httpStatus: 400,
        field,
      });
      assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
    });
  }

  test('a non-object input is named "input"', async () => {
    await expectBillflowError(() => createCustomer({ db: tdb.pool }, null as never), { code: 'invalid_input', httpStatus: 400, field: 'input' });
  });

  test('every bad field is reported at once', async () => {
    const error = await expectBillflowError(
      () => createCustomer({ db: tdb.pool }, { ...valid, currency: 'XYZ', country: 'India', extra: 1 } as never),
      { code: 'invalid_input', httpStatus: 400, field: 'currency' },
    );
    assert.deepEqual(error.details.map((d) => d.field).sort(), ['country', 'currency', 'extra']);
  });

  test('duplicate e-mail (any case) and external id are 409 conflicts naming the field', async () => {
    await createCustomer({ db: tdb.pool }, { ...valid, email: 'dup@example.com', externalId: 'dup-ext' });
    const before = await rowCounts(tdb.pool, ['customers']);
    await expectBillflowError(() => createCustomer({ db: tdb.pool }, { ...valid, email: 'DUP@example.com' }), {
      code: 'conflict',
      httpStatus: 409,
      field: 'email',
    });
    await expectBillflowError(() => createCustomer({ db: tdb.pool }, { ...valid, email: 'other@example.com', externalId: 'dup-ext' }), {
      code: 'conflict',
      httpStatus: 409,
      field: 'externalId',
    });
    assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
  });
});

test('two concurrent creates with one e-mail: one customer, one 409', async () => {
  const results = await Promise.allSettled([1, 2, 3].map(() => createCustomer({ db: tdb.pool }, { ...valid, email: 'race@example.com' })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { httpStatus: number }).httpStatus, 409);
});

describe('getCustomer / findCustomerByEmailOrId', () => {
  test('unknown id is 404 customer_not_found; a bad id is invalid_input', async () => {
    await expectBillflowError(() => getCustomer(tdb.pool, 987654), { code: 'customer_not_found', httpStatus: 404, field: 'customerId' });
    await expectBillflowError(() => getCustomer(tdb.pool, 0), { code: 'invalid_input', httpStatus: 400, field: 'customerId' });
    await expectBillflowError(() => getCustomer(tdb.pool, 1.5), { code: 'invalid_input', httpStatus: 400, field: 'customerId' });
  });

  test('finds by e-mail (case-insensitive) or by id, else null', async () => {
    const c = await createCustomer({ db: tdb.pool }, { ...valid, email: 'find.me@example.com' });
    assert.equal((await findCustomerByEmailOrId(tdb.pool, ' Find.Me@Example.com '))?.id, c.id);
    assert.equal((await findCustomerByEmailOrId(tdb.pool, String(c.id)))?.id, c.id);
    assert.equal(await findCustomerByEmailOrId(tdb.pool, 'nobody@example.com'), null);
    assert.equal(await findCustomerByEmailOrId(tdb.pool, '99999999'), null);
    assert.equal(await findCustomerByEmailOrId(tdb.pool, 'not an id'), null);
    assert.equal(await findCustomerByEmailOrId(tdb.pool, '0'), null);
  });
});

describe('updateCustomer', () => {
  test('changes only the given fields; null clears a nullable field', async () => {
    const c = await createCustomer({ db: tdb.pool }, { ...valid, email: 'upd@example.com' });
    const u = await updateCustomer({ db: tdb.pool }, c.id, { name: 'Asha R.', phone: null, billingAnchorDay: 15 });
    assert.equal(u.name, 'Asha R.');
    assert.equal(u.phone, null);
    assert.equal(u.billingAnchorDay, 15);
    assert.equal(u.email, 'upd@example.com');
    assert.deepEqual(await updateCustomer({ db: tdb.pool }, c.id, {}), u);
  });

  test('rejects bad patches, unknown ids and conflicts without writing', async () => {
    const c = await createCustomer({ db: tdb.pool }, { ...valid, email: 'upd2@example.com' });
    await createCustomer({ db: tdb.pool }, { ...valid, email: 'taken@example.com' });
    const cases: [Record<string, unknown>, string, string, number][] = [
      [{ currency: 'XYZ' }, 'currency', 'invalid_input', 400],
      [{ name: null }, 'name', 'invalid_input', 400],
      [{ id: 5 }, 'id', 'invalid_input', 400],
      [{ legalEntityId: 'mars' }, 'legalEntityId', 'invalid_input', 400],
      [{ email: 'Taken@example.com', name: 'Changed' }, 'email', 'conflict', 409],
    ];
    for (const [patch, field, code, httpStatus] of cases) {
      await expectBillflowError(() => updateCustomer({ db: tdb.pool }, c.id, patch as never), { code, httpStatus, field });
    }
    assert.equal((await getCustomer(tdb.pool, c.id)).name, valid.name);
    await expectBillflowError(() => updateCustomer({ db: tdb.pool }, 987654, { name: 'x' }), {
      code: 'customer_not_found',
      httpStatus: 404,
      field: 'customerId',
    });
  });
});

describe('listCustomers', () => {
  test('pages by id cursor', async () => {
    const all = [];
    let after: number | undefined;
    for (;;) {
      const page = await listCustomers(tdb.pool, { limit: 2, ...(after === undefined ? {} : { after }) });
      all.push(...page.customers);
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    const { customers } = await rowCounts(tdb.pool, ['customers']);
    assert.equal(all.length, customers);
    assert.deepEqual(all.map((c) => c.id), [...all.map((c) => c.id)].sort((a, b) => a - b));
  });

  test('limit is 1–1000', async () => {
    await expectBillflowError(() => listCustomers(tdb.pool, { limit: 1001 }), { code: 'invalid_input', httpStatus: 400, field: 'limit' });
    await expectBillflowError(() => listCustomers(tdb.pool, { limit: 0 }), { code: 'invalid_input', httpStatus: 400, field: 'limit' });
    await expectBillflowError(() => listCustomers(tdb.pool, { after: -1 }), { code: 'invalid_input', httpStatus: 400, field: 'after' });
  });
});
