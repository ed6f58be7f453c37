import type pg from 'pg';
import { consumeOutboxBatch, type OutboxEvent } from '../../events/index.ts';
import type { Log } from '../../log.ts';
import type { Channel, DeliverySettings } from '../settings.ts';
import { deliverySql } from './delivery-sql.ts';
import { CREDIT_NOTE_TOPICS, planDeliveries, TOPIC_CHANNELS, type Recipient } from './plan.ts';
import { STALE_SENDING_MS } from './send.ts';

export const DELIVERY_CONSUMER = 'delivery';
/** Batches per dispatch job before it hands over to a fresh job (other tasks get a turn). */
const BATCHES_PER_JOB = 50;
/** How soon to look again when committed events wait behind a running transaction. */
const WAITING_RETRY_MS = 1_000;
/** Orphaned 'sending' deliveries picked up per dispatch. */
const ORPHANS_PER_DISPATCH = 1_000;

export interface DispatchSummary {
  events: number;
  deliveries: number;
  again: boolean;
}

/** Recipients by invoice id, or (creditNotes) by credit note id; none asked for, no query. */
async function recipientsOf(client: pg.PoolClient, ids: number[], creditNotes: boolean): Promise<Map<number, Recipient>> {
  if (ids.length === 0) return new Map();
  const sql = creditNotes ? deliverySql.creditNoteRecipients(ids) : deliverySql.recipients(ids);
  const rows = (await client.query(sql.text, sql.values)).rows;
  return new Map(rows.map((r) => [Number(creditNotes ? r.credit_note_id : r.invoice_id), {
    invoiceId: Number(r.invoice_id), creditNoteId: creditNotes ? Number(r.credit_note_id) : null, customerId: Number(r.customer_id),
    email: r.email, phone: r.phone, whatsapp: r.whatsapp, locale: r.locale, channels: r.channels as Channel[] | null,
  }]));
}

/** Turns one batch of events into deliveries and their send jobs, in the consumer's transaction. */
async function handleEvents(client: pg.PoolClient, events: OutboxEvent[], settings: DeliverySettings): Promise<number> {
  const idsOf = (creditNotes: boolean) => [...new Set(events.filter((e) => CREDIT_NOTE_TOPICS.has(e.topic) === creditNotes).map((e) => e.aggregateId))];
  const recipients = await recipientsOf(client, idsOf(false), false);
  const creditNoteRecipients = await recipientsOf(client, idsOf(true), true);
  const planned = planDeliveries(events, recipients, settings, creditNoteRecipients);
  if (planned.length === 0) return 0;
  const insert = deliverySql.insert(planned);
  const created = (await client.query<{ id: number; channel: Channel }>(insert.text, insert.values)).rows;
  for (const channel of ['sms', 'email', 'whatsapp'] as const) {
    const ids = created.filter((c) => c.channel === channel).map((c) => Number(c.id));
    for (let at = 0; at < ids.length; at += settings.sendBatchSize) {
      const queue = deliverySql.queueSend(ids.slice(at, at + settings.sendBatchSize), null);
      await client.query(queue.text, queue.values);
    }
  }
  return created.length;
}

/**
 * The dispatch stage (graphile-worker task delivery_dispatch, one at a time through its named
 * queue): reads invoice.issued, invoice.document_rendered and credit_note.document_rendered events
 * after the 'delivery' cursor and creates one delivery per invoice (or credit note) × channel with its send job — events, deliveries, jobs
 * and cursor in one transaction per batch. Also takes over deliveries orphaned in 'sending'.
 */
export async function runDispatch(deps: { pool: pg.Pool; log: Log; settings: DeliverySettings }): Promise<DispatchSummary> {
  const summary: DispatchSummary = { events: 0, deliveries: 0, again: false };
  if (!deps.settings.enabled) return summary;
  const absorb = deliverySql.absorbWakeups();
  await deps.pool.query(absorb.text, absorb.values);
  let waiting = false;
  let more = false;
  for (let batch = 0; batch < BATCHES_PER_JOB; batch++) {
    const outcome = await consumeOutboxBatch(
      deps.pool,
      { consumer: DELIVERY_CONSUMER, topics: Object.keys(TOPIC_CHANNELS), batchSize: deps.settings.dispatchBatchSize },
      async (client, events) => {
        summary.deliveries += await handleEvents(client, events, deps.settings);
      },
    );
    summary.events += outcome.read;
    more = outcome.more;
    waiting = outcome.waiting;
    if (!more) break;
  }
  const orphans = deliverySql.orphanedSending(STALE_SENDING_MS, ORPHANS_PER_DISPATCH);
  const orphaned = (await deps.pool.query<{ id: number }>(orphans.text, orphans.values)).rows.map((r) => Number(r.id));
  if (orphaned.length > 0) {
    deps.log.warn(`${orphaned.length} deliveries were left 'sending' by a job that is gone: queued again (uncertain)`);
    const queue = deliverySql.queueSend(orphaned, null);
    await deps.pool.query(queue.text, queue.values);
  }
  if (more || waiting) {
    summary.again = true;
    const again = deliverySql.queueDispatch(more ? 0 : WAITING_RETRY_MS);
    await deps.pool.query(again.text, again.values);
  }
  if (summary.deliveries > 0) deps.log.debug(`dispatch: ${summary.events} events → ${summary.deliveries} deliveries`);
  return summary;
}
