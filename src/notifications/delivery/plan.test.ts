import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deliverySettings } from '../settings.ts';
import { backoffMs, failureOutcome, messageIdFor, planDeliveries, type Recipient } from './plan.ts';

const settings = deliverySettings({ backoff: { baseMs: 1000, maxMs: 60_000 } });
const r = (over: Partial<Recipient> = {}): Recipient => ({
  invoiceId: 7, customerId: 3, email: 'a@example.com', phone: '+15551234567', whatsapp: '+15551234567', locale: 'fr', channels: null, ...over,
});

describe('delivery plan', () => {
  it('SMS after issue; email and WhatsApp once the PDF exists', () => {
    const recipients = new Map([[7, r()]]);
    assert.deepEqual(planDeliveries([{ topic: 'invoice.issued', aggregateId: 7 }], recipients, settings).map((d) => d.channel), ['sms']);
    assert.deepEqual(planDeliveries([{ topic: 'invoice.document_rendered', aggregateId: 7 }], recipients, settings).map((d) => d.channel), ['email', 'whatsapp']);
    assert.deepEqual(planDeliveries([{ topic: 'invoice.quarantined', aggregateId: 7 }], recipients, settings), []);
  });

  it('honours preferences, skips missing addresses, collapses repeated events', () => {
    const recipients = new Map([[7, r({ channels: ['email'], whatsapp: null })], [8, r({ invoiceId: 8, email: '  ', channels: null })]]);
    const events = [7, 7, 8].map((id) => ({ topic: 'invoice.document_rendered', aggregateId: id }));
    const planned = planDeliveries(events, recipients, settings);
    assert.deepEqual(planned.map((d) => `${d.invoiceId}:${d.channel}`), ['7:email', '8:whatsapp']);
    assert.equal(planned[0]!.messageId, '<billflow.inv-7-email@billflow.local>');
    assert.equal(planned[0]!.messageId, messageIdFor(7, 'email', 'billflow.local'));
    assert.equal(planned[0]!.maxAttempts, settings.email.maxAttempts);
  });

  it('a credit note\'s rendered PDF: one email of its own, keyed by the credit note, never the invoice\'s key', () => {
    const creditNotes = new Map([[5, r({ creditNoteId: 5 })]]);
    const events = [{ topic: 'credit_note.document_rendered', aggregateId: 5 }, { topic: 'credit_note.document_rendered', aggregateId: 5 }, { topic: 'invoice.document_rendered', aggregateId: 7 }];
    const planned = planDeliveries(events, new Map([[7, r()]]), settings, creditNotes);
    assert.deepEqual(planned.map((d) => [d.invoiceId, d.creditNoteId, d.channel, d.messageId]), [
      [7, 5, 'email', '<billflow.cn-5-email@billflow.local>'],
      [7, null, 'email', '<billflow.inv-7-email@billflow.local>'],
      [7, null, 'whatsapp', '<billflow.inv-7-whatsapp@billflow.local>'],
    ]);
    // The credit note id is looked up among credit notes only (id 7 is an invoice).
    assert.deepEqual(planDeliveries([{ topic: 'credit_note.document_rendered', aggregateId: 7 }], new Map([[7, r()]]), settings), []);
    assert.deepEqual(planDeliveries([{ topic: 'credit_note.document_rendered', aggregateId: 5 }], new Map(), settings, new Map([[5, r({ creditNoteId: 5, channels: ['sms'] })]])), []);
  });

  it('backs off exponentially with jitter, capped', () => {
    assert.equal(backoffMs(1, settings.backoff, 1), 1000);
    assert.equal(backoffMs(1, settings.backoff, 0), 500);
    assert.equal(backoffMs(4, settings.backoff, 1), 8000);
    assert.equal(backoffMs(30, settings.backoff, 1), 60_000);
  });

  it('permanent → dead at once; transient → retry until the maximum, then dead', () => {
    const ctx = { nowMs: 0, backoff: settings.backoff, random: 1 };
    const perm = failureOutcome({ id: 1, attempts: 1, maxAttempts: 5 }, { kind: 'permanent', message: '550 no such user', retryAfterMs: null }, ctx);
    assert.deepEqual([perm.status, perm.errorKind], ['dead', 'permanent']);
    const retry = failureOutcome({ id: 1, attempts: 2, maxAttempts: 5 }, { kind: 'transient', message: '451', retryAfterMs: null }, ctx);
    assert.deepEqual([retry.status, retry.nextAttemptAt?.getTime()], ['retrying', 2000]);
    const slow = failureOutcome({ id: 1, attempts: 1, maxAttempts: 5 }, { kind: 'transient', message: '429', retryAfterMs: 30_000 }, ctx);
    assert.equal(slow.nextAttemptAt?.getTime(), 30_000);
    const done = failureOutcome({ id: 1, attempts: 5, maxAttempts: 5 }, { kind: 'transient', message: '451', retryAfterMs: null }, ctx);
    assert.deepEqual([done.status, done.errorKind], ['dead', 'exhausted']);
  });
});
