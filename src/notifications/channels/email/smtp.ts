import nodemailer, { type Transporter } from 'nodemailer';
import type { DeliverySettings } from '../../settings.ts';
import { classifySmtpError } from '../classify.ts';
import { checkRecipient, type ChannelAdapter, type OutgoingMessage, type SendReceipt } from '../types.ts';
import { invoiceEmail } from './email-message.ts';
import { bareAddress } from './mime.ts';

/**
 * Email over SMTP through nodemailer's pooled transport: up to maxConnections connections per
 * worker thread, each reused for maxMessagesPerConnection messages (no handshake per message).
 */
export class SmtpChannel implements ChannelAdapter {
  readonly channel = 'email' as const;
  readonly provider = 'smtp';
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(settings: DeliverySettings['email'] & { smtpUrl: string }, options: { rejectUnauthorized?: boolean } = {}) {
    const url = new URL(settings.smtpUrl);
    this.from = settings.from;
    this.transport = nodemailer.createTransport({
      pool: true,
      host: url.hostname,
      port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      maxConnections: settings.maxConnections,
      maxMessages: settings.maxMessagesPerConnection,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      // A plain local relay (or a test server) without a certificate: ignoreTLS=true in the URL.
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      tls: { rejectUnauthorized: options.rejectUnauthorized ?? url.searchParams.get('rejectUnauthorized') !== 'false' },
    });
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    checkRecipient('email', message.recipient);
    try {
      const info = (await this.transport.sendMail({
        envelope: { from: bareAddress(this.from), to: [message.recipient] },
        messageId: message.messageId,
        raw: invoiceEmail(this.from, message, new Date()),
      })) as { response?: string };
      return { providerRef: String(info.response ?? 'accepted').slice(0, 500) };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  /** SMTP has no way to ask a server what it accepted. */
  findSent(): Promise<'unknown'> {
    return Promise.resolve('unknown');
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
