import type pg from 'pg';
import { BillflowError, invalidInput } from '../../errors.ts';
import { CHANNELS, type Channel } from '../settings.ts';
import { deliverySql } from './delivery-sql.ts';

/** Dead letters, delivery status and requeue: what the API and `billflow deliveries` call. */
export const DELIVERY_STATUSES = ['pending', 'sending', 'retrying', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Most rows one list call returns, and most deliveries one requeue call touches. */
export const MAX_LIST_LIMIT = 1_000;
export const MAX_REQUEUE = 100_000;
const SEND_BATCH_ON_REQUEUE = 200;

export interface DeliveryRow {
  id: number;
  invoiceId: number;
  invoiceNumber: string;
  /** The credit note this delivery carries (of invoiceId); null for the invoice's own messages. */
  creditNoteId: number | null;
  creditNoteNumber: string | null;
  channel: Channel;
  customerId: number;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  errorKind: string | null;
  lastError: string | null;
  providerRef: string | null;
  messageId: string;
  requeues: number;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channel?: Channel;
  invoiceId?: number;
  customerId?: number;
  /** Rows with a larger id (cursor paging). */
  afterId?: number;
  limit?: number;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

function toRow(r: Record<string, unknown>): DeliveryRow {
  return {
    id: Number(r.id), invoiceId: Number(r.invoice_id), invoiceNumber: String(r.number),
    creditNoteId: r.credit_note_id === null || r.credit_note_id === undefined ? null : Number(r.credit_note_id),
    creditNoteNumber: (r.credit_note_number as string | null) ?? null, channel: r.channel as Channel, customerId: Number(r.customer_id),
    recipient: String(r.recipient), status: r.status as DeliveryStatus, attempts: Number(r.attempts), maxAttempts: Number(r.max_attempts),
    errorKind: (r.error_kind as string | null) ?? null, lastError: (r.last_error as string | null) ?? null, providerRef: (r.provider_ref as string | null) ?? null,
    messageId: String(r.message_id), requeues: Number(r.requeues), nextAttemptAt: iso(r.next_attempt_at), createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!, sentAt: iso(r.sent_at),
  };
}

function checkFilter(f: DeliveryFilter): void {
  if (f.status !== undefined && !DELIVERY_STATUSES.includes(f.status)) throw invalidInput('status', `one of ${DELIVERY_STATUSES.join(', ')}`);
  if (f.channel !== undefined && !CHANNELS.includes(f.channel)) throw invalidInput('channel', `one of ${CHANNELS.join(', ')}`);
  if (f.limit !== undefined && (!Number.isInteger(f.limit) || f.limit < 1 || f.limit > MAX_LIST_LIMIT)) throw invalidInput('limit', `a whole number from 1 to ${MAX_LIST_LIMIT}`);
}

/**
 * Deliveries by status (dead letters: status 'dead'), channel, invoice or customer, oldest first.
 * An invoice's deliveries include those of its credit notes (creditNoteId set).
 */
export async function listDeliveries(db: pg.Pool, filter: DeliveryFilter = {}): Promise<DeliveryRow[]> {
  checkFilter(filter);
  const rows = (await db.query(
    `select d.*, i.number, cn.number as credit_note_number from deliveries d join invoices i on i.id = d.invoice_id
     left join credit_notes cn on cn.id = d.credit_note_id
     where ($1::text is null or d.status = $1) and ($2::text is null or d.channel = $2)
       and ($3::bigint is null or d.invoice_id = $3) and ($4::bigint is null or d.customer_id = $4) and d.id > $5
     order by d.id limit $6`,
    [filter.status ?? null, filter.channel ?? null, filter.invoiceId ?? null, filter.customerId ?? null, filter.afterId ?? 0, filter.limit ?? 100],
  )).rows;
  return rows.map(toRow);
}

/** Counts per channel and status. */
export async function deliveryCounts(db: pg.Pool): Promise<{ channel: Channel; status: DeliveryStatus; count: number }[]> {
  const rows = (await db.query('select channel, status, count(*)::int as n from deliveries group by 1, 2 order by 1, 2')).rows;
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.n) }));
}

/**
 * Puts dead (or waiting) deliveries back in the queue with a fresh set of attempts — by id, or
 * every dead letter (of a channel). The status change and the send jobs commit together.
 */
export async function requeueDeliveries(db: pg.Pool, input: { ids?: number[]; allDead?: boolean; channel?: Channel }): Promise<{ requeued: number; ids: number[] }> {
  if (!input.ids?.length && !input.allDead) throw invalidInput('ids', 'give delivery ids, or allDead');
  if (input.ids && input.ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw invalidInput('ids', 'positive integers');
  if (input.channel !== undefined && !CHANNELS.includes(input.channel)) throw invalidInput('channel', `one of ${CHANNELS.join(', ')}`);
  const client = await db.connect();
  try {
    await client.query('begin');
    const rows = (await client.query<{ id: number }>(
      `update deliveries set status = 'pending', attempts = 0, next_attempt_at = null, requeues = requeues + 1, updated_at = now()
       where id in (select id from deliveries
                    where (($1::bigint[] is not null and id = any($1) and status in ('dead', 'retrying'))
                        or ($1::bigint[] is null and status = 'dead'))
                      and ($2::text is null or channel = $2)
                    order by id limit $3 for update)
       returning id`,
      [input.ids?.length ? input.ids : null, input.channel ?? null, MAX_REQUEUE],
    )).rows;
    const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    if (input.ids?.length && ids.length < new Set(input.ids).size) {
      const missing = input.ids.filter((id) => !ids.includes(id));
      throw new BillflowError('not_requeueable', `deliveries ${missing.join(', ')} are not dead or retrying (or do not exist)`, { httpStatus: 409, details: missing.map((id) => ({ field: 'ids', message: `delivery ${id} is not dead or retrying` })) });
    }
    for (let at = 0; at < ids.length; at += SEND_BATCH_ON_REQUEUE) {
      const queue = deliverySql.queueSend(ids.slice(at, at + SEND_BATCH_ON_REQUEUE), null);
      await client.query(queue.text, queue.values);
    }
    await client.query('commit');
    return { requeued: ids.length, ids };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A customer's channels (null = every channel the customer has an address for). */
export async function setDeliveryPreferences(db: pg.Pool, customerId: number, channels: Channel[] | null): Promise<void> {
  if (channels !== null && channels.some((c) => !CHANNELS.includes(c))) throw invalidInput('channels', `each one of ${CHANNELS.join(', ')}`);
  const exists = await db.query('select 1 from customers where id = $1', [customerId]);
  if (exists.rowCount === 0) throw new BillflowError('not_found', `customer ${customerId} not found`, { httpStatus: 404 });
  if (channels === null) await db.query('delete from delivery_preferences where customer_id = $1', [customerId]);
  else {
    await db.query(
      `insert into delivery_preferences (customer_id, channels) values ($1, $2::text[])
       on conflict (customer_id) do update set channels = excluded.channels, updated_at = now()`,
      [customerId, [...new Set(channels)]],
    );
  }
}
