import type { Channel } from '../settings.ts';

/** One message to send: everything a channel needs, built before any I/O (delivery/compose.ts). */
export interface OutgoingMessage {
  deliveryId: number;
  invoiceId: number;
  channel: Channel;
  recipient: string;
  /** Stable across attempts: the email's Message-ID header, a client reference elsewhere. */
  messageId: string;
  /** 'inv-42-email': the invoice × channel idempotency key. */
  idempotencyKey: string;
  subject: string;
  text: string;
  html: string;
  /** The invoice PDF (email attachment, WhatsApp document). */
  attachment: { filename: string; content: Buffer } | null;
  /** When the send that may have happened began (for asking a provider after a crash). */
  sendingSince: Date | null;
}

export interface SendReceipt {
  /** What the receiver said: the SMTP reply, a Twilio SID, a WhatsApp message id, a file path. */
  providerRef: string;
}

export type FailureKind = 'permanent' | 'transient';

/**
 * A failed send, classified: permanent (the address is invalid, SMTP 5xx, a provider 4xx) goes to
 * the dead letters at once; transient (timeouts, connection errors, SMTP 4xx, 429, 5xx) is retried.
 */
export class DeliveryFailure extends Error {
  readonly kind: FailureKind;
  /** The receiver asked us to wait at least this long (Retry-After). */
  readonly retryAfterMs: number | null;
  constructor(kind: FailureKind, message: string, options: { retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryFailure';
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /** 'smtp', 'twilio', 'whatsapp-cloud', or 'file' for the embedded default. */
  readonly provider: string;
  /** Sends one message; throws DeliveryFailure (anything else is treated as transient). */
  send(message: OutgoingMessage): Promise<SendReceipt>;
  /**
   * Asks the receiver whether this message already reached it (after a crash between sending and
   * recording). Returns its receipt, null when it did not, or 'unknown' when the receiver cannot
   * be asked.
   */
  findSent(message: OutgoingMessage): Promise<SendReceipt | null | 'unknown'>;
  close(): Promise<void>;
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Checked before sending: a malformed address is a permanent failure, never retried. */
export function checkRecipient(channel: Channel, recipient: string): void {
  const ok = channel === 'email' ? EMAIL.test(recipient) : E164.test(recipient);
  if (!ok) throw new DeliveryFailure('permanent', `invalid ${channel === 'email' ? 'email address' : 'phone number (E.164 expected)'}: '${recipient}'`);
}
