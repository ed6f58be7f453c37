import type pg from 'pg';
import { outboxSql } from './outbox-sql.ts';

/** An event as read from the outbox. */
export interface OutboxEvent {
  id: number;
  xid: string;
  topic: string;
  aggregateId: number;
  payload: Record<string, unknown>;
}

export interface ConsumeOptions {
  /** The consumer's name: its cursor row in event_consumers. */
  consumer: string;
  topics: readonly string[];
  /** Events per batch (one transaction). */
  batchSize: number;
}

export interface ConsumeOutcome {
  read: number;
  /** A full batch was read: there may be more right away. */
  more: boolean;
  /** Committed events wait behind a transaction that is still running: try again shortly. */
  waiting: boolean;
}

/**
 * Reads one batch of events after the consumer's cursor, hands them to `handle` and advances the
 * cursor — all in one transaction. Whatever `handle` writes with the client commits with the
 * cursor, so an event is acted on exactly once even if the process dies at any point (the batch
 * is then read again, because neither its effects nor the cursor committed).
 */
export async function consumeOutboxBatch(
  pool: pg.Pool,
  options: ConsumeOptions,
  handle: (client: pg.PoolClient, events: OutboxEvent[]) => Promise<void>,
): Promise<ConsumeOutcome> {
  const client = await pool.connect();
  try {
    const ensure = outboxSql.ensureConsumer(options.consumer);
    await client.query(ensure.text, ensure.values);
    await client.query('begin');
    const lock = outboxSql.lockConsumer(options.consumer);
    const row = (await client.query<{ last_xid: string; last_id: number }>(lock.text, lock.values)).rows[0]!;
    const cursor = { xid: row.last_xid, id: Number(row.last_id) };
    const read = outboxSql.readAfter(cursor, options.topics, options.batchSize);
    const rows = (await client.query<{ id: number; xid: string; topic: string; aggregate_id: number; payload: Record<string, unknown> }>(read.text, read.values)).rows;
    const events: OutboxEvent[] = rows.map((r) => ({ id: Number(r.id), xid: r.xid, topic: r.topic, aggregateId: Number(r.aggregate_id), payload: r.payload }));
    if (events.length > 0) {
      await handle(client, events);
      const last = events[events.length - 1]!;
      const advance = outboxSql.advance(options.consumer, { xid: last.xid, id: last.id }, events.length);
      await client.query(advance.text, advance.values);
    }
    const more = events.length === options.batchSize;
    let waiting = false;
    if (!more) {
      const last = events[events.length - 1];
      const w = outboxSql.waiting(last ? { xid: last.xid, id: last.id } : cursor, options.topics);
      waiting = (await client.query<{ waiting: boolean }>(w.text, w.values)).rows[0]!.waiting;
    }
    await client.query('commit');
    return { read: events.length, more, waiting };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Every consumer's cursor and how many events it has still to read. */
export async function outboxConsumers(db: pg.Pool): Promise<{ name: string; lastId: number; eventsRead: number; behind: number; updatedAt: Date }[]> {
  const sql = outboxSql.status();
  const rows = (await db.query(sql.text, sql.values)).rows;
  return rows.map((r) => ({ name: r.name, lastId: Number(r.last_id), eventsRead: Number(r.events_read), behind: Number(r.behind), updatedAt: r.updated_at }));
}
