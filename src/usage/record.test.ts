import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { createMetric } from '../catalog/index.ts';
import { expectBillflowError, insertTestCustomer, rowCounts } from '../customers/test-helpers.ts';
import { recordUsage, type UsageEventInput } from './index.ts';

let tdb: TestDatabase;
const deps = () => ({ db: tdb.pool });
let customerId: number;

before(async () => {
  tdb = await createTestDatabase();
  customerId = await insertTestCustomer(tdb.pool);
  await createMetric(deps(), { code: 'api_calls', name: 'API calls', aggregation: 'sum' });
});
after(async () => {
  await tdb.drop();
});

const event = (tx: string, extra: Partial<UsageEventInput> = {}): UsageEventInput => ({
  customerId, metricCode: 'api_calls', occurredAt: '2026-11-05T10:15:00Z', value: 3, transactionId: tx, ...extra,
});

test('accepts a batch and counts replays (earlier calls and within the batch) as duplicates', async () => {
  assert.deepEqual(await recordUsage(deps(), [event('t1'), event('t2', { occurredAt: '2026-11-05T15:45:00+05:30', uniqueKey: 'u1' })]), { accepted: 2, duplicates: 0 });
  assert.deepEqual(await recordUsage(deps(), [event('t1'), event('t3'), event('t3', { value: 9 })]), { accepted: 1, duplicates: 2 });
  const rows = (await tdb.pool.query(`select transaction_id, value, occurred_at from usage_events order by transaction_id`)).rows;
  assert.deepEqual(rows.map((r) => [r.transaction_id, r.value]), [['t1', 3], ['t2', 3], ['t3', 3]]);
  assert.equal(rows[1].occurred_at.toISOString(), '2026-11-05T10:15:00.000Z');
});

test('value defaults to 1', async () => {
  const { value: _ignored, ...withoutValue } = event('t-default');
  await recordUsage(deps(), [withoutValue]);
  assert.equal((await tdb.pool.query(`select value from usage_events where transaction_id = 't-default'`)).rows[0].value, 1);
});

test('a full batch of 10,000 goes in with one statement', async () => {
  const batch = Array.from({ length: 10_000 }, (_, i) => event(`bulk-${i}`, { value: i }));
  assert.deepEqual(await recordUsage(deps(), batch), { accepted: 10_000, duplicates: 0 });
  assert.deepEqual(await recordUsage(deps(), batch), { accepted: 0, duplicates: 10_000 });
});

const bad: [string, (e: Record<string, unknown>[]) => unknown, string, string, number][] = [
  ['negative value', (e) => { e[1]!.value = -1; }, 'events[1].value', 'invalid_input', 400],
  ['fractional value', (e) => { e[1]!.value = 1.5; }, 'events[1].value', 'invalid_input', 400],
  ['value as string', (e) => { e[1]!.value = '4'; }, 'events[1].value', 'invalid_input', 400],
  ['timestamp without zone', (e) => { e[0]!.occurredAt = '2026-11-05T10:15:00'; }, 'events[0].occurredAt', 'invalid_input', 400],
  ['date only', (e) => { e[0]!.occurredAt = '2026-11-05'; }, 'events[0].occurredAt', 'invalid_input', 400],
  ['impossible timestamp', (e) => { e[0]!.occurredAt = '2026-02-30T00:00:00Z'; }, 'events[0].occurredAt', 'invalid_input', 400],
  ['missing transactionId', (e) => { delete e[1]!.transactionId; }, 'events[1].transactionId', 'invalid_input', 400],
  ['oversized transactionId', (e) => { e[1]!.transactionId = 'x'.repeat(201); }, 'events[1].transactionId', 'invalid_input', 400],
  ['unknown field', (e) => { e[0]!.properties = {}; }, 'events[0].properties', 'invalid_input', 400],
  ['unknown metric', (e) => { e[1]!.metricCode = 'sms'; }, 'events[1].metricCode', 'metric_not_found', 404],
  ['unknown customer', (e) => { e[0]!.customerId = 999999; }, 'events[0].customerId', 'customer_not_found', 404],
  ['customer id as string', (e) => { e[0]!.customerId = '1'; }, 'events[0].customerId', 'invalid_input', 400],
  ['empty batch', (e) => { e.length = 0; }, 'events', 'invalid_input', 400],
  ['oversized batch', (e) => { for (let i = 0; i < 10_001; i++) e.push({ ...e[0]!, transactionId: `big-${i}` }); }, 'events', 'invalid_input', 400],
];
for (const [name, mutate, field, code, httpStatus] of bad) {
  test(`rejects ${name} naming ${field}, inserting none of the batch`, async () => {
    const before = await rowCounts(tdb.pool, ['usage_events']);
    const events = [event(`x-${name}-0`), event(`x-${name}-1`)] as unknown as Record<string, unknown>[];
    mutate(events);
    await expectBillflowError(() => recordUsage(deps(), events as never), { code, httpStatus, field });
    assert.deepEqual(await rowCounts(tdb.pool, ['usage_events']), before);
  });
}

test('a non-array input names events', async () => {
  await expectBillflowError(() => recordUsage(deps(), { events: [] } as never), { code: 'invalid_input', httpStatus: 400, field: 'events' });
});
