import { appendFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Channel } from '../settings.ts';
import { checkRecipient, DeliveryFailure, type ChannelAdapter, type OutgoingMessage, type SendReceipt } from './types.ts';
import { invoiceEmail } from './email/email-message.ts';

/**
 * The embedded default, when no SMTP server or provider is configured: each email is an .eml
 * file (outbox/email/<key>.eml, opens in any mail client), SMS and WhatsApp messages are JSON
 * lines (outbox/sms.jsonl, outbox/whatsapp.jsonl). An .eml is written to a temporary name and
 * renamed, so it is whole or absent; writing it again replaces it (one file per key).
 */
export class EmailFileChannel implements ChannelAdapter {
  readonly channel = 'email' as const;
  readonly provider = 'file';
  readonly dir: string;
  constructor(outboxDir: string, private readonly from: string) {
    this.dir = join(outboxDir, 'email');
  }

  private fileOf(message: OutgoingMessage): string {
    return join(this.dir, `${message.idempotencyKey}.eml`);
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    checkRecipient('email', message.recipient);
    const eml = invoiceEmail(this.from, message, new Date());
    const file = this.fileOf(message);
    try {
      await mkdir(this.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, eml);
      await rename(tmp, file);
    } catch (error) {
      throw new DeliveryFailure('transient', `outbox: ${(error as Error).message}`, { cause: error });
    }
    return { providerRef: file };
  }

  /** The file is the receiver: if it exists, the message was delivered. */
  async findSent(message: OutgoingMessage): Promise<SendReceipt | null> {
    const file = this.fileOf(message);
    return stat(file).then(() => ({ providerRef: file }), () => null);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class JsonLinesChannel implements ChannelAdapter {
  readonly provider = 'file';
  readonly file: string;
  constructor(readonly channel: Channel, private readonly outboxDir: string) {
    this.file = join(outboxDir, `${channel}.jsonl`);
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    checkRecipient(this.channel, message.recipient);
    const line = JSON.stringify({
      at: new Date().toISOString(), key: message.idempotencyKey, messageId: message.messageId, to: message.recipient, text: message.text,
      document: message.attachment ? { filename: message.attachment.filename, bytes: message.attachment.content.length } : null,
    });
    try {
      await mkdir(this.outboxDir, { recursive: true });
      await appendFile(this.file, `${line}\n`);
    } catch (error) {
      throw new DeliveryFailure('transient', `outbox: ${(error as Error).message}`, { cause: error });
    }
    return { providerRef: `${this.file}#${message.idempotencyKey}` };
  }

  /** A line may or may not have been appended; reading the whole file back is not worth it. */
  findSent(): Promise<'unknown'> {
    return Promise.resolve('unknown');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
