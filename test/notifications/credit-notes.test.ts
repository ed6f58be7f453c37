/**
 * A credit note's PDF by email, on real Postgres against the local SMTP server: issued on a billed
 * invoice whose own email has gone out, rendered by the credit_note_render task, dispatched and
 * sent by the delivery tasks — one email with the credit note's PDF, the invoice's email untouched,
 * a dead letter listed with its credit note and requeued once, and nothing more on a second dispatch.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { startRunner, type BillflowRunner, type RunnerSettings } from '../../src/billing/jobs.ts';
import { DEFAULT_DOCUMENT_SETTINGS } from '../../src/documents/index.ts';
import { CREDIT_NOTE_RENDER_TASK, issueCreditNote } from '../../src/invoices/index.ts';
import { createLog, silentLog } from '../../src/log.ts';
import { closeDeliveryChannels, deliverySettings, DISPATCH_TASK, listDeliveries, requeueDeliveries, SEND_TASK } from '../../src/notifications/index.ts';
import { waitFor } from '../support/cli.ts';
import { billedDatabase, type BilledDatabase } from './setup.ts';
import { startSmtpServer, type SmtpTestServer } from './servers.ts';

const WAKE = `select graphile_worker.add_job('delivery_dispatch', '{}'::json, queue_name := 'billflow_delivery_dispatch', job_key := 'billflow_delivery_dispatch')`;

describe('credit notes delivered by email', { concurrency: false }, () => {
  let billed: BilledDatabase;
  let smtp: SmtpTestServer;
  let runner: BillflowRunner;
  const q = async (sql: string, values: unknown[] = []) => (await billed.db.pool.query(sql, values)).rows;
  const open = async () => Number((await q(`select count(*)::int as n from deliveries where status in ('pending', 'sending', 'retrying')`))[0].n);
  const idle = () => waitFor(async () => Number((await q(`select count(*)::int as n from graphile_worker.jobs where attempts < max_attempts`))[0].n) === 0 && (await open()) === 0, 60_000, 'jobs to finish');

  before(async () => {
    billed = await billedDatabase(4);
    smtp = await startSmtpServer({ keepRaw: true });
    // Email only: SMS and WhatsApp would go to the file outbox and add nothing here.
    await q(`insert into delivery_preferences (customer_id, channels) select id, array['email'] from customers`);
    const delivery = deliverySettings({ backoff: { baseMs: 50, maxMs: 200 }, email: { smtpUrl: smtp.url, maxAttempts: 3, messageIdDomain: 'test.billflow' } });
    const settings: RunnerSettings & Record<string, unknown> = {
      connectionString: billed.db.url, concurrency: 2, pollIntervalMs: 100, heartbeatMs: 500, deadAfterMs: 2_000,
      tasks: [DISPATCH_TASK, SEND_TASK, CREDIT_NOTE_RENDER_TASK], delivery, documents: DEFAULT_DOCUMENT_SETTINGS, dataDir: billed.dataDir,
    };
    runner = await startRunner(billed.db.pool, process.env.DEBUG_DELIVERY ? createLog('test') : silentLog, settings);
    await q(WAKE);
    const emails = Number((await q(`select count(*)::int as n from invoices i join customers c on c.id = i.customer_id where c.email is not null`))[0].n);
    assert.ok(emails > 0);
    await waitFor(async () => smtp.accepted() === emails && (await open()) === 0, 60_000, 'the invoices\' emails');
  });
  after(async () => {
    await runner?.stop();
    await closeDeliveryChannels();
    await smtp?.close();
    await billed?.db.drop();
    if (billed) rmSync(billed.dataDir, { recursive: true, force: true });
  });

  it('sends one email with the credit note\'s PDF once it is rendered; the invoice\'s own email is unaffected', async () => {
    const [inv] = await q(`select i.id, i.number, c.email from invoices i join customers c on c.id = i.customer_id where c.email is not null order by i.id limit 1`);
    const invoiceEmail = (await q(`select * from deliveries where invoice_id = $1 and channel = 'email'`, [inv.id]))[0];
    assert.equal(invoiceEmail.status, 'sent');
    const acceptedBefore = smtp.accepted();
    // The address bounces at first: the credit note's email becomes a dead letter, listed with its credit note.
    smtp.rejectRecipients.add(inv.email);
    const cn = await issueCreditNote({ db: billed.db.pool, clock: { now: () => new Date('2026-12-03T10:00:00Z') } }, { invoiceId: Number(inv.id), amountMinor: 100, reason: 'Goodwill' });
    await waitFor(async () => (await listDeliveries(billed.db.pool, { status: 'dead' })).length === 1, 60_000, 'the dead letter');
    const [dead] = await listDeliveries(billed.db.pool, { status: 'dead' });
    assert.deepEqual([dead!.invoiceId, dead!.creditNoteId, dead!.creditNoteNumber, dead!.channel, dead!.errorKind], [Number(inv.id), cn.id, cn.number, 'email', 'permanent']);
    assert.equal(dead!.messageId, `<billflow.cn-${cn.id}-email@test.billflow>`);
    // Only rendered PDFs are sent: the delivery exists because the render wrote its event.
    const doc = (await q('select sha256 from credit_note_documents where credit_note_id = $1', [cn.id]))[0];
    assert.ok(doc, 'the credit note PDF is recorded');
    assert.equal(Number((await q(`select count(*)::int as n from outbox_events where topic = 'credit_note.document_rendered' and aggregate_id = $1`, [cn.id]))[0].n), 1);

    smtp.rejectRecipients.clear();
    assert.deepEqual(await requeueDeliveries(billed.db.pool, { ids: [dead!.id] }), { requeued: 1, ids: [dead!.id] });
    await idle();
    assert.equal(smtp.accepted(), acceptedBefore + 1);
    assert.equal(smtp.received.get(dead!.messageId), 1);
    const mail = await simpleParser(smtp.raw.get(dead!.messageId)!);
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]!.filename, `${cn.number}.pdf`);
    assert.equal(createHash('sha256').update(mail.attachments[0]!.content).digest('hex'), doc.sha256);
    for (const part of [cn.number, inv.number]) assert.ok(mail.subject!.includes(part) && mail.text!.includes(part), `${part} in ${mail.subject} / ${mail.text}`);
    // The invoice's own email: still one, its row unchanged.
    assert.equal(smtp.received.get(invoiceEmail.message_id), 1);
    assert.deepEqual((await q(`select * from deliveries where id = $1`, [invoiceEmail.id]))[0], invoiceEmail);
    const perInvoice = await listDeliveries(billed.db.pool, { invoiceId: Number(inv.id) });
    assert.deepEqual(perInvoice.map((d) => [d.channel, d.creditNoteId, d.status]), [['email', null, 'sent'], ['email', cn.id, 'sent']]);
  });

  it('a second dispatch (the event read again, a repeated render) sends nothing more', async () => {
    const before = { accepted: smtp.accepted(), rows: Number((await q('select count(*)::int as n from deliveries'))[0].n) };
    await q(`insert into outbox_events (topic, aggregate_id, payload)
             select 'credit_note.document_rendered', credit_note_id, json_build_object('creditNoteId', credit_note_id) from credit_note_documents`);
    await q(`select graphile_worker.add_job('credit_note_render', json_build_object('creditNoteId', credit_note_id)) from credit_note_documents`);
    await q(WAKE);
    await idle();
    await waitFor(async () => {
      const cursor = (await q(`select last_id from event_consumers where name = 'delivery'`))[0];
      return Number(cursor.last_id) === Number((await q('select max(id) as m from outbox_events'))[0].m);
    }, 30_000, 'the cursor to pass the repeated event');
    await idle();
    assert.equal(Number((await q('select count(*)::int as n from deliveries'))[0].n), before.rows);
    assert.equal(smtp.accepted(), before.accepted);
    assert.ok([...smtp.received.values()].every((n) => n === 1));
  });
});
