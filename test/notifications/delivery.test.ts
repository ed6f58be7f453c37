import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startRunner, type BillflowRunner, type RunnerSettings } from '../../src/billing/jobs.ts';
import { DEFAULT_DOCUMENT_SETTINGS } from '../../src/documents/index.ts';
import { createLog, silentLog } from '../../src/log.ts';
import { closeDeliveryChannels, deliverySettings, DISPATCH_TASK, listDeliveries, requeueDeliveries, SEND_TASK } from '../../src/notifications/index.ts';
import { runCli, waitFor } from '../support/cli.ts';
import { billedDatabase, type BilledDatabase } from './setup.ts';
import { startSmtpServer, startTwilioServer, startWhatsAppServer, type SmtpTestServer } from './servers.ts';

const WAKE = `select graphile_worker.add_job('delivery_dispatch', '{}'::json, queue_name := 'billflow_delivery_dispatch', job_key := 'billflow_delivery_dispatch')`;

describe('delivery: email, SMS and WhatsApp against local protocol peers', { concurrency: false }, () => {
  let billed: BilledDatabase;
  let smtp: SmtpTestServer;
  let twilio: Awaited<ReturnType<typeof startTwilioServer>>;
  let whatsapp: Awaited<ReturnType<typeof startWhatsAppServer>>;
  let runner: BillflowRunner;
  let rejected: string[];
  let twilioRetried: string[];
  let twilioInvalid: string;
  let whatsappRetried: string[];
  const q = async (sql: string, values: unknown[] = []) => (await billed.db.pool.query(sql, values)).rows;
  const open = async () => Number((await q(`select count(*)::int as n from deliveries where status in ('pending', 'sending', 'retrying')`))[0].n);

  before(async () => {
    billed = await billedDatabase(40);
    const contacts = await q(`select c.email, c.phone, c.whatsapp from invoices i join customers c on c.id = i.customer_id order by i.id`);
    rejected = contacts.slice(0, 2).map((c) => c.email);
    smtp = await startSmtpServer({ failFirst: 2, failCode: 451, rejectRecipients: rejected });
    twilio = await startTwilioServer('AC0123', 'secret');
    twilioRetried = contacts.slice(2, 5).map((c) => c.phone);
    for (const p of twilioRetried) twilio.script.set(p, [429, 503]);
    twilioInvalid = contacts[5].phone;
    twilio.script.set(twilioInvalid, [400]);
    whatsapp = await startWhatsAppServer('1055', 'wa-token');
    whatsappRetried = contacts.filter((c) => c.whatsapp).slice(0, 3).map((c) => String(c.whatsapp).replace(/^\+/, ''));
    for (const w of whatsappRetried) whatsapp.script.set(w, [429, 500]);
    const delivery = deliverySettings({
      backoff: { baseMs: 50, maxMs: 200 },
      email: { smtpUrl: smtp.url, maxAttempts: 5, messageIdDomain: 'test.billflow' },
      sms: { twilio: { baseUrl: twilio.url, accountSid: 'AC0123', authToken: 'secret', from: '+15550000000' }, maxAttempts: 5, ratePerSec: 0 },
      whatsapp: { cloud: { baseUrl: whatsapp.url, phoneNumberId: '1055', accessToken: 'wa-token' }, maxAttempts: 5, ratePerSec: 0 },
    });
    const settings: RunnerSettings & Record<string, unknown> = {
      connectionString: billed.db.url, concurrency: 2, pollIntervalMs: 100, heartbeatMs: 500, deadAfterMs: 2_000,
      tasks: [DISPATCH_TASK, SEND_TASK], delivery, documents: DEFAULT_DOCUMENT_SETTINGS, dataDir: billed.dataDir,
    };
    runner = await startRunner(billed.db.pool, process.env.DEBUG_DELIVERY ? createLog('test') : silentLog, settings);
  });
  after(async () => {
    await runner?.stop();
    await closeDeliveryChannels();
    await Promise.all([smtp?.close(), twilio?.close(), whatsapp?.close()]);
    await billed?.db.drop();
    if (billed) rmSync(billed.dataDir, { recursive: true, force: true });
  });

  it('delivers every invoice by each channel once: transient failures retried, permanent ones dead-lettered with their reason', async () => {
    await q(WAKE);
    const expected = (await q(`select count(*) filter (where c.email is not null)::int as email, count(*) filter (where c.phone is not null)::int as sms,
      count(*) filter (where c.whatsapp is not null)::int as whatsapp from invoices i join customers c on c.id = i.customer_id`))[0];
    await waitFor(async () => Number((await q('select count(*)::int as n from deliveries'))[0].n) === expected.email + expected.sms + expected.whatsapp && (await open()) === 0, 90_000, 'deliveries to settle');
    const rows = await q(`select d.*, c.email, c.phone from deliveries d join customers c on c.id = d.customer_id order by d.id`);
    // Email: three DATA attempts each (451, 451, 250), accepted exactly once, with the PDF.
    const emails = rows.filter((r) => r.channel === 'email');
    assert.equal(emails.length, expected.email);
    for (const e of emails) {
      if (rejected.includes(e.email)) {
        assert.equal(e.status, 'dead');
        assert.equal(e.error_kind, 'permanent');
        assert.match(e.last_error, /550/);
        assert.equal(smtp.received.get(e.message_id), undefined);
      } else {
        assert.equal(e.status, 'sent', `${e.message_id}: ${e.last_error}`);
        assert.equal(e.attempts, 3);
        assert.equal(smtp.received.get(e.message_id), 1, e.message_id);
        assert.equal(smtp.attempts.get(e.message_id), 3);
      }
    }
    assert.equal(smtp.accepted(), expected.email - rejected.length);
    assert.equal(smtp.withPdf(), expected.email - rejected.length);
    // SMS: 429 then 503 are transient (sent on the third attempt); 400 is permanent.
    const sms = rows.filter((r) => r.channel === 'sms');
    assert.equal(sms.length, expected.sms);
    for (const s of sms) {
      if (s.phone === twilioInvalid) {
        assert.deepEqual([s.status, s.error_kind], ['dead', 'permanent']);
        assert.match(s.last_error, /HTTP 400/);
        continue;
      }
      assert.equal(s.status, 'sent', s.last_error);
      assert.equal(s.attempts, twilioRetried.includes(s.phone) ? 3 : 1);
      assert.equal(twilio.received.get(s.phone)!.filter((m) => m.id === s.provider_ref).length, 1);
    }
    assert.equal([...twilio.received.values()].flat().length, expected.sms - 1);
    assert.equal(twilio.statuses.filter((x) => x === 429).length, 3);
    // WhatsApp: a document (uploaded PDF) with the text as caption; 429 and 500 retried.
    const wa = rows.filter((r) => r.channel === 'whatsapp');
    assert.equal(wa.length, expected.whatsapp);
    for (const w of wa) {
      assert.equal(w.status, 'sent', w.last_error);
      assert.equal(w.attempts, whatsappRetried.includes(w.recipient.replace(/^\+/, '')) ? 3 : 1);
    }
    const waReceived = [...whatsapp.received.values()].flat();
    assert.equal(waReceived.length, expected.whatsapp);
    assert.ok(waReceived.every((m) => m.document));
  });

  it('dead letters are listed with their reason and, once requeued, delivered exactly once', async () => {
    const dead = await listDeliveries(billed.db.pool, { status: 'dead' });
    assert.equal(dead.length, rejected.length + 1);
    assert.ok(dead.every((d) => d.lastError && d.errorKind === 'permanent'));
    smtp.rejectRecipients.clear(); // the addresses were fixed
    const requeued = await requeueDeliveries(billed.db.pool, { allDead: true, channel: 'email' });
    assert.equal(requeued.requeued, rejected.length);
    const sms = dead.find((d) => d.channel === 'sms')!;
    // The CLI shows the same dead letters and requeues by id.
    const env = { BILLFLOW_DATA_DIR: billed.dataDir };
    const listed = await runCli(['deliveries', '--status', 'dead', '--channel', 'sms', '--json'], { databaseUrl: billed.db.url, env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((d: { id: number; lastError: string }) => [d.id, /HTTP 400/.test(d.lastError)]), [[sms.id, true]]);
    const cli = await runCli(['deliveries', 'requeue', String(sms.id), '--json'], { databaseUrl: billed.db.url, env });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), { requeued: 1, ids: [sms.id] });
    await waitFor(async () => (await open()) === 0, 60_000, 'requeued deliveries');
    for (const d of dead) {
      const [row] = await listDeliveries(billed.db.pool, { invoiceId: d.invoiceId, channel: d.channel });
      assert.equal(row!.status, 'sent', row!.lastError ?? '');
      assert.equal(row!.requeues, 1);
      if (d.channel === 'email') assert.equal(smtp.received.get(d.messageId), 1);
    }
    await assert.rejects(requeueDeliveries(billed.db.pool, { ids: [sms.id] }), /not dead or retrying/);
  });

  it('events read again (a re-rendered PDF, a second dispatch) send nothing twice', async () => {
    const before = { smtp: smtp.accepted(), twilio: twilio.statuses.length, wa: whatsapp.statuses.length, rows: (await q('select count(*)::int as n from deliveries'))[0].n };
    await q(`insert into outbox_events (topic, aggregate_id, payload)
             select 'invoice.document_rendered', invoice_id, json_build_object('invoiceId', invoice_id) from invoice_documents`);
    await q(WAKE);
    await waitFor(async () => Number((await q(`select count(*)::int as n from graphile_worker.jobs where task_identifier like 'delivery_%' and attempts < max_attempts`))[0].n) === 0, 30_000, 'dispatch')
      .catch(async (e: Error) => assert.fail(`${e.message}: ${JSON.stringify(await q(`select task_identifier, attempts, last_error, locked_by, run_at from graphile_worker.jobs`))}`));
    assert.equal((await q('select count(*)::int as n from deliveries'))[0].n, before.rows);
    assert.deepEqual({ smtp: smtp.accepted(), twilio: twilio.statuses.length, wa: whatsapp.statuses.length }, { smtp: before.smtp, twilio: before.twilio, wa: before.wa });
    assert.ok([...smtp.received.values()].every((n) => n === 1));
    const cursor = (await q(`select last_id from event_consumers where name = 'delivery'`))[0];
    assert.equal(Number(cursor.last_id), Number((await q('select max(id) as m from outbox_events'))[0].m));
  });
});
