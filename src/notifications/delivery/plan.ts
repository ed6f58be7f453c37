import type { DeliveryFailure } from '../channels/types.ts';
import type { Channel, DeliverySettings } from '../settings.ts';

/**
 * Pure decisions of the delivery stage: which messages an event calls for, what their stable
 * identity is, and what a send's outcome does to a delivery (sent, retry later, dead letter).
 */
export const TOPIC_CHANNELS: Record<string, readonly Channel[]> = {
  // SMS as soon as the invoice is validated and issued; email and WhatsApp carry the PDF.
  'invoice.issued': ['sms'],
  'invoice.document_rendered': ['email', 'whatsapp'],
  // A credit note's PDF goes by email only, once it is recorded (its own delivery, not the invoice's).
  'credit_note.document_rendered': ['email'],
};

/** Which document a topic's aggregate id names: an invoice, or a credit note. */
export const CREDIT_NOTE_TOPICS: ReadonlySet<string> = new Set(['credit_note.document_rendered']);

export interface Recipient {
  invoiceId: number;
  /** Set when the message carries a credit note (of invoiceId) rather than the invoice. */
  creditNoteId?: number | null;
  customerId: number;
  email: string | null;
  phone: string | null;
  whatsapp: string | null;
  locale: string;
  /** The customer's chosen channels; null = every channel with an address. */
  channels: Channel[] | null;
}

export interface PlannedDelivery {
  invoiceId: number;
  creditNoteId: number | null;
  channel: Channel;
  customerId: number;
  recipient: string;
  locale: string;
  messageId: string;
  maxAttempts: number;
}

/** 'inv-42-email': one key per invoice × channel; 'cn-7-email' per credit note × channel. */
export function idempotencyKey(invoiceId: number, channel: Channel, creditNoteId: number | null = null): string {
  return creditNoteId === null ? `inv-${invoiceId}-${channel}` : `cn-${creditNoteId}-${channel}`;
}

/** The RFC 5322 Message-ID: derived from the key, so every attempt carries the same one. */
export function messageIdFor(invoiceId: number, channel: Channel, domain: string, creditNoteId: number | null = null): string {
  return `<billflow.${idempotencyKey(invoiceId, channel, creditNoteId)}@${domain}>`;
}

function addressFor(r: Recipient, channel: Channel): string | null {
  const raw = channel === 'email' ? r.email : channel === 'sms' ? r.phone : r.whatsapp;
  const trimmed = raw?.trim();
  return trimmed ? trimmed : null;
}

/**
 * The deliveries a batch of events calls for (duplicates within the batch collapsed). Invoice
 * topics look their aggregate up in `recipients`, credit note topics in `creditNoteRecipients`.
 */
export function planDeliveries(
  events: { topic: string; aggregateId: number }[], recipients: Map<number, Recipient>, settings: DeliverySettings,
  creditNoteRecipients: Map<number, Recipient> = new Map(),
): PlannedDelivery[] {
  const out = new Map<string, PlannedDelivery>();
  for (const event of events) {
    const creditNote = CREDIT_NOTE_TOPICS.has(event.topic);
    const r = (creditNote ? creditNoteRecipients : recipients).get(event.aggregateId);
    if (!r) continue; // a voided or unknown invoice: nothing to deliver
    const creditNoteId = creditNote ? event.aggregateId : null;
    for (const channel of TOPIC_CHANNELS[event.topic] ?? []) {
      if (r.channels !== null && !r.channels.includes(channel)) continue;
      const recipient = addressFor(r, channel);
      if (recipient === null) continue;
      out.set(idempotencyKey(r.invoiceId, channel, creditNoteId), {
        invoiceId: r.invoiceId, creditNoteId, channel, customerId: r.customerId, recipient, locale: r.locale,
        messageId: messageIdFor(r.invoiceId, channel, settings.email.messageIdDomain, creditNoteId), maxAttempts: settings[channel].maxAttempts,
      });
    }
  }
  return [...out.values()];
}

/** Exponential backoff with jitter: base × 2^(attempt−1), capped, then a random 50–100% of it. */
export function backoffMs(attempt: number, backoff: DeliverySettings['backoff'], random: number): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(exp * (0.5 + 0.5 * random));
}

export interface Outcome {
  id: number;
  status: 'sent' | 'retrying' | 'dead';
  providerRef: string | null;
  errorKind: 'permanent' | 'transient' | 'uncertain' | 'exhausted' | null;
  error: string | null;
  nextAttemptAt: Date | null;
}

/** What a failed attempt does: permanent → dead now; transient → retry later, or dead when exhausted. */
export function failureOutcome(
  d: { id: number; attempts: number; maxAttempts: number },
  failure: Pick<DeliveryFailure, 'kind' | 'message' | 'retryAfterMs'>,
  ctx: { nowMs: number; backoff: DeliverySettings['backoff']; random: number },
): Outcome {
  if (failure.kind === 'permanent') {
    return { id: d.id, status: 'dead', providerRef: null, errorKind: 'permanent', error: failure.message, nextAttemptAt: null };
  }
  if (d.attempts >= d.maxAttempts) {
    return { id: d.id, status: 'dead', providerRef: null, errorKind: 'exhausted', error: `${d.attempts} attempts: ${failure.message}`, nextAttemptAt: null };
  }
  const delayMs = Math.max(backoffMs(d.attempts, ctx.backoff, ctx.random), failure.retryAfterMs ?? 0);
  return { id: d.id, status: 'retrying', providerRef: null, errorKind: 'transient', error: failure.message, nextAttemptAt: new Date(ctx.nowMs + delayMs) };
}
