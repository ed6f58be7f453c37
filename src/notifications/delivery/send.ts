import type pg from 'pg';
import type { DocumentStore } from '../../documents/index.ts';
import type { Log } from '../../log.ts';
import { DeliveryFailure, type ChannelAdapter, type OutgoingMessage } from '../channels/index.ts';
import type { Channel, DeliverySettings } from '../settings.ts';
import type { MessageTemplateSet } from '../templates/message-templates.ts';
import { composeMessage, toLoadedDelivery, type LoadedDelivery } from './compose.ts';
import { deliverySql } from './delivery-sql.ts';
import { failureOutcome, type Outcome } from './plan.ts';
import type { Limiter } from '../../limits/index.ts';
import { OutcomeRecorder } from './recorder.ts';

/** Outcomes per recording statement, and the longest an outcome waits to be recorded. */
const RECORD_BATCH = 50;
const RECORD_EVERY_MS = 20;
/** A delivery 'sending' for longer than this, by a job that is gone, is taken over (uncertain). */
export const STALE_SENDING_MS = 15 * 60_000;

export interface DeliveryContext {
  pool: pg.Pool;
  log: Log;
  settings: DeliverySettings;
  channels: Record<Channel, ChannelAdapter>;
  limiters: Record<Channel, Limiter>;
  store: DocumentStore;
  templates: MessageTemplateSet;
  nowMs?: () => number;
  random?: () => number;
}

export interface SendSummary {
  claimed: number;
  sent: number;
  retrying: number;
  dead: number;
  uncertain: number;
}

function asFailure(error: unknown): DeliveryFailure {
  return error instanceof DeliveryFailure ? error : new DeliveryFailure('transient', (error as Error)?.message ?? String(error), { cause: error });
}

const documentLabel = (d: LoadedDelivery) => (d.creditNoteId === null ? `invoice ${d.number}` : `credit note ${d.number} (invoice ${d.invoiceNumber})`);

async function readPdf(ctx: DeliveryContext, d: LoadedDelivery): Promise<Buffer | null> {
  if (d.channel === 'sms') return null;
  const pdf = d.documentPath ? await ctx.store.get(d.documentPath).catch(() => null) : null;
  // Email and WhatsApp are queued once the PDF is recorded; a missing file is retried (and
  // reported) rather than sent without the invoice.
  if (!pdf) throw new DeliveryFailure('transient', `the PDF of ${documentLabel(d)} is not available (${d.documentPath ?? 'not rendered'})`);
  return pdf;
}

/** One delivery: compose, ask the receiver first if an earlier attempt may have sent it, send. */
async function deliverOne(ctx: DeliveryContext, d: LoadedDelivery, uncertain: boolean): Promise<Outcome> {
  const failCtx = { nowMs: (ctx.nowMs ?? Date.now)(), backoff: ctx.settings.backoff, random: (ctx.random ?? Math.random)() };
  const adapter = ctx.channels[d.channel];
  let message: OutgoingMessage;
  try {
    message = composeMessage(d, ctx.templates, await readPdf(ctx, d));
    if (uncertain) {
      const found = await adapter.findSent(message);
      if (found !== null && found !== 'unknown') return { id: d.id, status: 'sent', providerRef: found.providerRef, errorKind: null, error: null, nextAttemptAt: null };
      if (found === 'unknown' && ctx.settings[d.channel].onUncertain === 'dead') {
        return {
          id: d.id, status: 'dead', providerRef: null, errorKind: 'uncertain', nextAttemptAt: null,
          error: `an earlier attempt stopped between sending and recording; ${adapter.provider} cannot be asked whether it was sent — check, then requeue to send again`,
        };
      }
      ctx.log.info(`delivery ${d.id} (${d.channel}) was left 'sending' by a stopped attempt: ${found === null ? 'not found at the receiver' : 'resending with the same Message-ID'}`);
    }
    await ctx.limiters[d.channel].take();
    const receipt = await adapter.send(message);
    return { id: d.id, status: 'sent', providerRef: receipt.providerRef, errorKind: null, error: null, nextAttemptAt: null };
  } catch (error) {
    return failureOutcome(d, asFailure(error), failCtx);
  }
}

/** At most `limit` holders at once (per channel: its concurrency). */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

async function claimChunk(ctx: DeliveryContext, ids: number[], jobId: number): Promise<{ loaded: LoadedDelivery[]; uncertain: Set<number> }> {
  const claim = deliverySql.claim(ids, jobId, STALE_SENDING_MS);
  const claimed = (await ctx.pool.query<{ id: number; uncertain: boolean }>(claim.text, claim.values)).rows;
  if (claimed.length === 0) return { loaded: [], uncertain: new Set() };
  const load = deliverySql.load(claimed.map((c) => Number(c.id)));
  const loaded = (await ctx.pool.query(load.text, load.values)).rows.map(toLoadedDelivery);
  return { loaded, uncertain: new Set(claimed.filter((c) => c.uncertain).map((c) => Number(c.id))) };
}

/**
 * The send stage (graphile-worker task delivery_send): claims its deliveries a chunk at a time
 * ('sending' is committed before any of them leaves; the next chunk is claimed while the last
 * ones are still being sent, so the pipeline never drains), sends them with each channel's
 * concurrency and rate limit, and records every outcome within ~20 ms of the receiver's answer.
 * Claiming in chunks keeps the set of messages a crash leaves uncertain small: about two chunks.
 */
export async function processSendJob(ctx: DeliveryContext, job: { ids: number[]; jobId: number }): Promise<SendSummary> {
  const summary: SendSummary = { claimed: 0, sent: 0, retrying: 0, dead: 0, uncertain: 0 };
  const channels = ['email', 'sms', 'whatsapp'] as const;
  const workers = Math.max(...channels.map((c) => ctx.settings[c].concurrency));
  const chunkSize = Math.max(16, workers * 2);
  const limits = Object.fromEntries(channels.map((c) => [c, new Semaphore(ctx.settings[c].concurrency)])) as Record<Channel, Semaphore>;
  const queue: { d: LoadedDelivery; uncertain: boolean }[] = [];
  let nextChunk = 0;
  let claiming: Promise<void> | null = null;
  const refill = () => {
    const ids = job.ids.slice(nextChunk, nextChunk + chunkSize);
    nextChunk += chunkSize;
    claiming = claimChunk(ctx, ids, job.jobId).then(({ loaded, uncertain }) => {
      summary.claimed += loaded.length;
      summary.uncertain += uncertain.size;
      for (const d of loaded) queue.push({ d, uncertain: uncertain.has(d.id) });
    }).finally(() => {
      claiming = null;
    });
  };
  const take = async () => {
    for (;;) {
      if (queue.length <= workers && claiming === null && nextChunk < job.ids.length) refill();
      if (queue.length > 0) return queue.shift()!;
      if (claiming === null) return null;
      await claiming;
    }
  };
  const recorder = new OutcomeRecorder(ctx.pool, job.jobId, RECORD_BATCH, RECORD_EVERY_MS);
  try {
    // allSettled: a failed claim must not leave other workers' outcomes unrecorded behind it.
    const settled = await Promise.allSettled(Array.from({ length: workers }, async () => {
      for (let item = await take(); item !== null; item = await take()) {
        const { d, uncertain } = item;
        await limits[d.channel].acquire();
        try {
          const outcome = await deliverOne(ctx, d, uncertain);
          summary[outcome.status]++;
          if (outcome.status !== 'sent') ctx.log.warn(`delivery ${d.id} ${d.channel} of ${documentLabel(d)}: ${outcome.status} (${outcome.errorKind}): ${outcome.error}`);
          recorder.add(outcome);
        } finally {
          limits[d.channel].release();
        }
      }
    }));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await recorder.close();
  }
  return summary;
}
