import type pg from 'pg';
import type { DocumentStore } from '../../documents/index.ts';
import type { Log } from '../../log.ts';
import { DeliveryFailure, type ChannelAdapter, type OutgoingMessage } from '../channels/index.ts';
import type { Channel, DeliverySettings } from '../settings.ts';
import type { MessageTemplateSet } from '../templates/message-templates.ts';
import { composeMessage, toLoadedDelivery, type LoadedDelivery } from './compose.ts';
import { deliverySql } from './delivery-sql.ts';
import { failureOutcome, type Outcome } from './plan.ts';
import type { RateLimiter } from './rate-limit.ts';
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
  limiters: Record<Channel, RateLimiter>;
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

async function readPdf(ctx: DeliveryContext, d: LoadedDelivery): Promise<Buffer | null> {
  if (d.channel === 'sms') return null;
  const pdf = d.documentPath ? await ctx.store.get(d.documentPath).catch(() => null) : null;
  // Email and WhatsApp are queued once the PDF is recorded; a missing file is retried (and
  // reported) rather than sent without the invoice.
  if (!pdf) throw new DeliveryFailure('transient', `the PDF of invoice ${d.number} is not available (${d.documentPath ?? 'not rendered'})`);
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

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
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
 * The send stage (graphile-worker task delivery_send): claims its deliveries a few at a time
 * ('sending' is committed before any of them leaves; the next chunk is claimed while this one
 * is sent), sends them with the channel's concurrency and rate limit, and records each outcome
 * within ~20 ms of the receiver's answer. Claiming in chunks keeps the set of messages whose
 * fate a crash leaves unknown small: about two chunks, not the whole job.
 */
export async function processSendJob(ctx: DeliveryContext, job: { ids: number[]; jobId: number }): Promise<SendSummary> {
  const summary: SendSummary = { claimed: 0, sent: 0, retrying: 0, dead: 0, uncertain: 0 };
  const maxConcurrency = Math.max(...(['email', 'sms', 'whatsapp'] as const).map((c) => ctx.settings[c].concurrency));
  const chunkSize = Math.max(16, maxConcurrency * 2);
  const chunks: number[][] = [];
  for (let at = 0; at < job.ids.length; at += chunkSize) chunks.push(job.ids.slice(at, at + chunkSize));
  const recorder = new OutcomeRecorder(ctx.pool, job.jobId, RECORD_BATCH, RECORD_EVERY_MS);
  let next: Promise<{ loaded: LoadedDelivery[]; uncertain: Set<number> }> | null = null;
  try {
    next = chunks.length > 0 ? claimChunk(ctx, chunks[0]!, job.jobId) : null;
    for (let i = 0; next !== null; i++) {
      const { loaded, uncertain } = await next;
      next = i + 1 < chunks.length ? claimChunk(ctx, chunks[i + 1]!, job.jobId) : null;
      summary.claimed += loaded.length;
      summary.uncertain += uncertain.size;
      const byChannel = new Map<Channel, LoadedDelivery[]>();
      for (const d of loaded) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
      await Promise.all([...byChannel].map(([channel, list]) => inParallel(list, ctx.settings[channel].concurrency, async (d) => {
        const outcome = await deliverOne(ctx, d, uncertain.has(d.id));
        summary[outcome.status]++;
        if (outcome.status !== 'sent') ctx.log.warn(`delivery ${d.id} ${d.channel} of invoice ${d.number}: ${outcome.status} (${outcome.errorKind}): ${outcome.error}`);
        recorder.add(outcome);
      })));
    }
  } finally {
    next?.catch(() => undefined); // a prefetched claim after a failure: its rows are taken over later
    await recorder.close();
  }
  return summary;
}
