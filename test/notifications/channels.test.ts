import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { EmailFileChannel } from '../../src/notifications/channels/file-outbox.ts';
import { DeliveryFailure, TwilioSmsChannel, WhatsAppCloudChannel, type OutgoingMessage } from '../../src/notifications/index.ts';
import { startTwilioServer, startWhatsAppServer } from './servers.ts';

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 1)]);
const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  deliveryId: 1, invoiceId: 42, channel: 'sms', recipient: '+15551230042', messageId: '<billflow.inv-42-sms@test>', idempotencyKey: 'inv-42-sms',
  subject: 'Invoice BF-42', text: 'Billflow: invoice BF-42: $10.00 due 2026-12-16.', html: '<p>Invoice BF-42</p>', attachment: null, sendingSince: new Date(), ...over,
});

describe('channel adapters against local protocol peers', () => {
  let twilio: Awaited<ReturnType<typeof startTwilioServer>>;
  let whatsapp: Awaited<ReturnType<typeof startWhatsAppServer>>;
  let dir: string;
  before(async () => {
    twilio = await startTwilioServer('AC9', 'token');
    whatsapp = await startWhatsAppServer('77', 'bearer');
    dir = mkdtempSync(join(tmpdir(), 'billflow-outbox-'));
  });
  after(async () => {
    await Promise.all([twilio.close(), whatsapp.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('Twilio: sends form-encoded with basic auth, and finds a sent message again after a crash', async () => {
    const sms = new TwilioSmsChannel({ baseUrl: twilio.url, accountSid: 'AC9', authToken: 'token', from: '+15550000000', messagingServiceSid: null }, 5000);
    const before = new Date(Date.now() - 1000);
    const receipt = await sms.send(message());
    assert.match(receipt.providerRef, /^SM/);
    assert.deepEqual(await sms.findSent(message({ sendingSince: before })), receipt);
    assert.equal(await sms.findSent(message({ text: 'another body' })), null);
    const wrongToken = new TwilioSmsChannel({ baseUrl: twilio.url, accountSid: 'AC9', authToken: 'nope', from: '+15550000000', messagingServiceSid: null }, 5000);
    await assert.rejects(wrongToken.send(message()), (e: unknown) => e instanceof DeliveryFailure && e.kind === 'permanent' && /401/.test(e.message));
    twilio.script.set('+15551230042', [429]);
    await assert.rejects(sms.send(message()), (e: unknown) => e instanceof DeliveryFailure && e.kind === 'transient' && e.retryAfterMs === 0);
    const unreachable = new TwilioSmsChannel({ baseUrl: 'http://127.0.0.1:9', accountSid: 'AC9', authToken: 'token', from: '+15550000000', messagingServiceSid: null }, 2000);
    await assert.rejects(unreachable.send(message()), (e: unknown) => e instanceof DeliveryFailure && e.kind === 'transient');
  });

  it('WhatsApp Cloud API: uploads the PDF, sends it as a document with the text as caption', async () => {
    const wa = new WhatsAppCloudChannel({ baseUrl: whatsapp.url, apiVersion: 'v21.0', phoneNumberId: '77', accessToken: 'bearer' }, 5000);
    const receipt = await wa.send(message({ channel: 'whatsapp', attachment: { filename: 'BF-42.pdf', content: pdf } }));
    assert.match(receipt.providerRef, /^wamid\./);
    assert.equal(whatsapp.uploads, 1);
    const got = whatsapp.received.get('15551230042')!;
    assert.deepEqual(got.map((m) => [m.document, m.body]), [[true, message().text]]);
    whatsapp.script.set('15551230042', [500]);
    await assert.rejects(wa.send(message({ channel: 'whatsapp' })), (e: unknown) => e instanceof DeliveryFailure && e.kind === 'transient');
    assert.equal(await wa.findSent(), 'unknown');
  });

  it('the embedded outbox: one .eml per key, whole, readable, found again after a crash', async () => {
    const email = new EmailFileChannel(dir, 'Billflow <billing@billflow.local>');
    const m = message({ channel: 'email', recipient: 'ana@example.com', messageId: '<billflow.inv-42-email@test>', idempotencyKey: 'inv-42-email', attachment: { filename: 'BF-42.pdf', content: pdf } });
    assert.equal(await email.findSent(m), null);
    const first = await email.send(m);
    await email.send(m); // a resend replaces the file
    assert.equal(first.providerRef, join(dir, 'email', 'inv-42-email.eml'));
    assert.deepEqual(await email.findSent(m), first);
    const parsed = await simpleParser(readFileSync(first.providerRef));
    assert.equal(parsed.messageId, '<billflow.inv-42-email@test>');
    assert.ok(parsed.attachments[0]!.content.equals(pdf));
  });
});
