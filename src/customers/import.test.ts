import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { BillflowError } from '../errors.ts';
import { createCustomer, importCustomers } from './index.ts';
import { expectBillflowError, rowCounts } from './test-helpers.ts';

let tdb: TestDatabase;
before(async () => {
  tdb = await createTestDatabase();
});
after(async () => {
  await tdb.drop();
});

function row(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Imported ${i}`,
    email: `Import.${i}@Example.com`,
    phone: '+4915112345678',
    currency: 'EUR',
    country: 'DE',
    taxRegion: 'DE',
    locale: 'de-de',
    legalEntityId: 'eu',
    externalId: `imp-${i}`,
    metadata: i % 2 === 0 ? { tier: 'gold', note: 'tab\there' } : undefined,
    ...extra,
  };
}

async function* stream<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

test('imports every row of a valid stream', async () => {
  const rows = Array.from({ length: 2500 }, (_, i) => row(i));
  const result = await importCustomers({ db: tdb.pool }, stream(rows));
  assert.deepEqual(result, { imported: 2500 });
  const saved = (await tdb.pool.query(`select email, locale, metadata, name from customers where external_id = 'imp-2'`)).rows[0];
  assert.deepEqual(saved, { email: 'import.2@example.com', locale: 'de-DE', metadata: { tier: 'gold', note: 'tab\there' }, name: 'Imported 2' });
});

test('an empty stream imports nothing', async () => {
  assert.deepEqual(await importCustomers({ db: tdb.pool }, stream([])), { imported: 0 });
});

test('bad rows: nothing is written and each bad row is reported by line and field', async () => {
  const before = await rowCounts(tdb.pool, ['customers']);
  const rows = [row(10_001), row(10_002, { currency: 'XYZ' }), row(10_003), row(10_004, { email: 'nope', extra: 1 }), 'not an object', row(10_006, { taxRegion: 'ZZ' })];
  const error = await expectBillflowError(() => importCustomers({ db: tdb.pool }, stream(rows), { firstLineNumber: 2 }), {
    code: 'invalid_input',
    httpStatus: 400,
    field: 'line 3: currency',
  });
  assert.deepEqual(
    error.details.map((d) => d.field),
    ['line 3: currency', 'line 5: email', 'line 5: extra', 'line 6: input', 'line 7: taxRegion'],
  );
  assert.match(error.message, /^4 invalid row\(s\), nothing imported/);
  assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
});

test('duplicates within the file and against existing customers are 409, nothing written', async () => {
  await createCustomer({ db: tdb.pool }, { name: 'Existing', email: 'existing@example.com', externalId: 'existing-ext', currency: 'EUR', country: 'DE', legalEntityId: 'eu' });
  const before = await rowCounts(tdb.pool, ['customers']);
  const rows = [
    row(20_001),
    row(20_002, { email: 'EXISTING@example.com' }),
    row(20_003, { email: 'import.20001@example.com' }),
    row(20_004, { externalId: 'existing-ext' }),
  ];
  const error = await expectBillflowError(() => importCustomers({ db: tdb.pool }, rows), { code: 'conflict', httpStatus: 409, field: 'line 2: email' });
  assert.deepEqual(error.details, [
    { field: 'line 2: email', message: 'a customer with this e-mail already exists' },
    { field: 'line 3: email', message: 'same e-mail as line 1' },
    { field: 'line 4: externalId', message: 'a customer with this external id already exists' },
  ]);
  assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
});

test('reports at most 100 bad rows but counts them all', async () => {
  const rows = Array.from({ length: 250 }, (_, i) => row(30_000 + i, { billingAnchorDay: 0 }));
  const error = await expectBillflowError(() => importCustomers({ db: tdb.pool }, stream(rows)), { code: 'invalid_input', httpStatus: 400, field: 'line 1: billingAnchorDay' });
  assert.equal(error.details.length, 100);
  assert.equal(error.details.at(-1)?.field, 'line 100: billingAnchorDay');
  assert.match(error.message, /^250 invalid row/);
});

test('more rows than maxRows is refused', async () => {
  const before = await rowCounts(tdb.pool, ['customers']);
  const rows = Array.from({ length: 11 }, (_, i) => row(40_000 + i));
  await expectBillflowError(() => importCustomers({ db: tdb.pool }, stream(rows), { maxRows: 10 }), { code: 'invalid_input', httpStatus: 400, field: 'rows' });
  assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
});

test('an error thrown by the source rolls everything back', async () => {
  const before = await rowCounts(tdb.pool, ['customers']);
  async function* broken(): AsyncGenerator<unknown> {
    yield row(50_001);
    throw new Error('line 2: unterminated JSON');
  }
  await assert.rejects(() => importCustomers({ db: tdb.pool }, broken()), (e: unknown) => !(e instanceof BillflowError) && /unterminated/.test(String(e)));
  assert.deepEqual(await rowCounts(tdb.pool, ['customers']), before);
});
