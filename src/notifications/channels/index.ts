import { join } from 'node:path';
import type { Channel, DeliverySettings } from '../settings.ts';
import { SmtpChannel } from './email/smtp.ts';
import { EmailFileChannel, JsonLinesChannel } from './file-outbox.ts';
import { TwilioSmsChannel } from './sms/twilio.ts';
import type { ChannelAdapter } from './types.ts';
import { WhatsAppCloudChannel } from './whatsapp/cloud-api.ts';

export type { ChannelAdapter, OutgoingMessage, SendReceipt, FailureKind } from './types.ts';
export { DeliveryFailure, checkRecipient } from './types.ts';

/** Where the embedded default writes: delivery.outboxDir, else <dataDir>/outbox. */
export function outboxDirOf(settings: DeliverySettings, dataDir: string): string {
  return settings.outboxDir ?? join(dataDir, 'outbox');
}

/** The adapter of each channel: the configured provider, or the files of the embedded default. */
export function openChannels(settings: DeliverySettings, dataDir: string): Record<Channel, ChannelAdapter> {
  const outbox = outboxDirOf(settings, dataDir);
  const email = settings.email.smtpUrl
    ? new SmtpChannel({ ...settings.email, smtpUrl: settings.email.smtpUrl })
    : new EmailFileChannel(outbox, settings.email.from);
  const sms = settings.sms.twilio ? new TwilioSmsChannel(settings.sms.twilio, settings.sms.timeoutMs) : new JsonLinesChannel('sms', outbox);
  const whatsapp = settings.whatsapp.cloud
    ? new WhatsAppCloudChannel(settings.whatsapp.cloud, settings.whatsapp.timeoutMs)
    : new JsonLinesChannel('whatsapp', outbox);
  return { email, sms, whatsapp };
}
