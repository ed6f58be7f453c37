import type { OutgoingMessage } from '../types.ts';
import { composeMime } from './mime.ts';

/**
 * The raw invoice email: multipart/alternative text + HTML, the PDF attached, and the
 * delivery's stable Message-ID — the same on every attempt, so a receiver that got a message
 * twice (a resend after a crash, docs/delivery.md) can tell it is one message.
 */
export function invoiceEmail(from: string, message: OutgoingMessage, now: Date): Buffer {
  return composeMime({
    from, to: message.recipient, subject: message.subject, text: message.text, html: message.html, messageId: message.messageId, date: now,
    headers: { 'X-Billflow-Delivery': message.idempotencyKey },
    attachment: message.attachment ? { ...message.attachment, contentType: 'application/pdf' } : null,
  });
}
