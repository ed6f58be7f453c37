import { formatMinor } from '../../money/format.ts';
import type { OutgoingMessage } from '../channels/types.ts';
import type { Channel } from '../settings.ts';
import { renderCreditNoteEmail, renderMessages, type MessageTemplateSet } from '../templates/message-templates.ts';
import { idempotencyKey } from './plan.ts';

/** A delivery row with what its message is made of (delivery-sql.ts load). */
export interface LoadedDelivery {
  id: number;
  invoiceId: number;
  /** Set when this delivery carries a credit note of the invoice (number, total and PDF are then the credit note's). */
  creditNoteId: number | null;
  channel: Channel;
  recipient: string;
  locale: string;
  messageId: string;
  attempts: number;
  maxAttempts: number;
  sendingSince: Date | null;
  customerName: string;
  number: string;
  /** The invoice's number (for a credit note: the invoice it credits). */
  invoiceNumber: string;
  period: string;
  currency: string;
  totalMinor: number;
  dueDate: string;
  sellerName: string;
  documentPath: string | null;
}

export function toLoadedDelivery(r: Record<string, unknown>): LoadedDelivery {
  return {
    id: Number(r.id), invoiceId: Number(r.invoice_id), creditNoteId: r.credit_note_id === null || r.credit_note_id === undefined ? null : Number(r.credit_note_id), channel: r.channel as Channel, recipient: String(r.recipient), locale: String(r.locale),
    messageId: String(r.message_id), attempts: Number(r.attempts), maxAttempts: Number(r.max_attempts),
    sendingSince: (r.sending_since as Date | null) ?? null, customerName: String(r.customer_name), number: String(r.number),
    invoiceNumber: String(r.invoice_number ?? r.number),
    period: String(r.period), currency: String(r.currency), totalMinor: Number(r.total_minor), dueDate: String(r.due_date),
    sellerName: String(r.seller_name), documentPath: (r.document_path as string | null) ?? null,
  };
}

function safeFormat(totalMinor: number, currency: string, locale: string): string {
  try {
    return formatMinor(totalMinor, currency, locale);
  } catch {
    return formatMinor(totalMinor, currency);
  }
}

/** The message of one delivery in its customer's locale (pure; the PDF is read beforehand). */
export function composeMessage(d: LoadedDelivery, templates: MessageTemplateSet, pdf: Buffer | null): OutgoingMessage {
  const vars = {
    name: d.customerName, number: d.number, total: safeFormat(d.totalMinor, d.currency, d.locale), dueDate: d.dueDate, period: d.period,
    seller: d.sellerName, invoiceNumber: d.invoiceNumber,
  };
  let email: { subject: string; text: string; html: string };
  let text: string;
  if (d.creditNoteId !== null) {
    // Credit notes go by email only (plan.ts); its text serves any other channel all the same.
    email = renderCreditNoteEmail(templates, d.locale, vars);
    text = email.text;
  } else {
    const rendered = renderMessages(templates, d.locale, vars);
    email = rendered.email;
    text = d.channel === 'email' ? rendered.email.text : d.channel === 'sms' ? rendered.sms : rendered.whatsapp;
  }
  return {
    deliveryId: d.id, invoiceId: d.invoiceId, channel: d.channel, recipient: d.recipient, messageId: d.messageId,
    idempotencyKey: idempotencyKey(d.invoiceId, d.channel, d.creditNoteId), subject: email.subject, text, html: email.html,
    attachment: pdf && d.channel !== 'sms' ? { filename: `${d.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`, content: pdf } : null,
    sendingSince: d.sendingSince,
  };
}
