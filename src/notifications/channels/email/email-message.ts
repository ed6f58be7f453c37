import type Mail from 'nodemailer/lib/mailer/index.js';
import type { OutgoingMessage } from '../types.ts';

/**
 * The nodemailer message for an invoice email: multipart/alternative text + HTML, the PDF
 * attached, and the delivery's stable Message-ID — the same on every attempt, so a receiver that
 * got a message twice (a resend after a crash, docs/delivery.md) can tell it is one message.
 */
export function emailOptions(from: string, message: OutgoingMessage): Mail.Options {
  return {
    from,
    to: message.recipient,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: { 'X-Billflow-Delivery': message.idempotencyKey },
    attachments: message.attachment
      ? [{ filename: message.attachment.filename, content: message.attachment.content, contentType: 'application/pdf' }]
      : [],
    // Deterministic MIME boundaries and no Date drift between attempts are not needed: the
    // Message-ID is what identifies the message.
  };
}
