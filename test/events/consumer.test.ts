import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consumeOutboxBatch, type OutboxEvent } from '../../src/events/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * The outbox cursor against real Postgres: events are read in transaction-id order, across xid
 * magnitudes whose text order differs from their numeric order (the demo once sent only 60% of
 * its emails because '1003' sorts before '848'), and an event whose transaction is still running
 * holds the cursor back instead of being skipped.
 */
describe('outbox consumer cursor', () => {
  let db: TestDatabase;
  before(async () => { db = await createTestDatabase(); });
  after(async () => { await db.drop(); });

  const drain = async (consumer: string, topics: string[], batchSize: number) => {
    const seen: OutboxEvent[] = [];
    for (let i = 0; i < 100; i++) {
      const outcome = await consumeOutboxBatch(db.pool, { consumer, topics, batchSize }, async (_c, events) => { seen.push(...events); });
      if (!outcome.more) break;
    }
    return seen;
  };

  it('reads in numeric (xid, id) order when xids cross a power of ten', async () => {
    // Explicit xids below every running transaction (a new cluster starts near 750) stand for
    // long-finished writers — text order would be 10, 11, 20, 8, 9.
    const xids = ['20', '8', '11', '9', '10'];
    for (const x of xids) {
      await db.pool.query(`insert into outbox_events (topic, aggregate_id, payload, xid) values ('test.order', $1, '{}', $2::xid8)`, [Number(x), x]);
    }
    const one = await drain('order-1', ['test.order'], 1);
    assert.deepEqual(one.map((e) => e.xid), ['8', '9', '10', '11', '20']);
    const two = await drain('order-2', ['test.order'], 2);
    assert.deepEqual(two.map((e) => e.xid), ['8', '9', '10', '11', '20']);
  });

  it('waits behind a running transaction and then reads everything once', async () => {
    const slow = await db.pool.connect();
    try {
      await slow.query('begin');
      await slow.query(`insert into outbox_events (topic, aggregate_id, payload) values ('test.wait', 1, '{}')`);
      // A later transaction commits first.
      await db.pool.query(`insert into outbox_events (topic, aggregate_id, payload) values ('test.wait', 2, '{}')`);
      const first = await consumeOutboxBatch(db.pool, { consumer: 'wait', topics: ['test.wait'], batchSize: 10 }, async () => undefined);
      assert.equal(first.read, 0, 'nothing passes the running transaction');
      assert.equal(first.waiting, true);
      await slow.query('commit');
    } finally {
      slow.release();
    }
    // Transaction ids are cluster-wide: on a shared server another test's open transaction can
    // hold the horizon back a little longer, so read until both arrive (or 30 s).
    const seen: OutboxEvent[] = [];
    const until = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < until) {
      seen.push(...(await drain('wait', ['test.wait'], 10)));
      if (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(seen.map((e) => e.aggregateId), [1, 2]);
    assert.deepEqual(await drain('wait', ['test.wait'], 10), []);
  });
});
