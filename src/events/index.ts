/**
 * Events: the transactional outbox (outbox_events) and its durable consumers. A consumer keeps
 * its cursor in event_consumers and advances it in the transaction that acts on the events.
 * Topics written today: invoice.issued, invoice.quarantined (billing/persist.ts),
 * invoice.document_rendered (documents), invoice.payment_requeued (invoices/invoice-queries.ts),
 * credit_note.issued (invoices/credit-notes.ts), credit_note.document_rendered (documents/credit-note-pdf.ts).
 */
export { consumeOutboxBatch, outboxConsumers } from './consumer.ts';
export type { ConsumeOptions, ConsumeOutcome, OutboxEvent } from './consumer.ts';

export const TOPIC_INVOICE_ISSUED = 'invoice.issued';
export const TOPIC_DOCUMENT_RENDERED = 'invoice.document_rendered';
export const TOPIC_CREDIT_NOTE_ISSUED = 'credit_note.issued';
export const TOPIC_CREDIT_NOTE_DOCUMENT_RENDERED = 'credit_note.document_rendered';
