import type { Sql } from '../billing/load-sql.ts';

/** SQL of the outbox consumers. Each function returns {text, values} and runs nothing. */
export const outboxSql = {
  ensureConsumer: (name: string): Sql => ({
    text: 'insert into event_consumers (name) values ($1) on conflict (name) do nothing',
    values: [name],
  }),
  /** The cursor, locked: one batch of one consumer at a time, whichever process runs it. */
  lockConsumer: (name: string): Sql => ({
    text: 'select last_xid::text as last_xid, last_id from event_consumers where name = $1 for update',
    values: [name],
  }),
  /**
   * The next events after the cursor, in (xid, id) order, among those whose transaction ended
   * before every transaction still running began: no event can later appear behind them.
   * The order names the table's columns: a bare `xid` would bind to the text alias of the select
   * list and sort '1003' before '848' — the cursor would then jump over committed events.
   */
  readAfter: (cursor: { xid: string; id: number }, topics: readonly string[], limit: number): Sql => ({
    text: `select e.id, e.xid::text as xid, e.topic, e.aggregate_id, e.payload
           from outbox_events e
           where (e.xid, e.id) > ($1::xid8, $2::bigint) and e.xid < pg_snapshot_xmin(pg_current_snapshot())
             and e.topic = any($3::text[])
           order by e.xid, e.id limit $4`,
    values: [cursor.xid, cursor.id, topics, limit],
  }),
  /** Committed events the cursor may not pass yet (an older transaction is still running). */
  waiting: (cursor: { xid: string; id: number }, topics: readonly string[]): Sql => ({
    text: `select exists (select 1 from outbox_events
             where (xid, id) > ($1::xid8, $2::bigint) and xid >= pg_snapshot_xmin(pg_current_snapshot())
               and topic = any($3::text[])) as waiting`,
    values: [cursor.xid, cursor.id, topics],
  }),
  advance: (name: string, cursor: { xid: string; id: number }, read: number): Sql => ({
    text: `update event_consumers set last_xid = $2::xid8, last_id = $3, events_read = events_read + $4, updated_at = now()
           where name = $1`,
    values: [name, cursor.xid, cursor.id, read],
  }),
  status: (): Sql => ({
    text: `select c.name, c.last_id, c.events_read, c.updated_at,
             (select count(*) from outbox_events e where (e.xid, e.id) > (c.last_xid, c.last_id))::int as behind
           from event_consumers c order by c.name`,
    values: [],
  }),
};
