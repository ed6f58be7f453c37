import type { DeliverySettings } from '../../settings.ts';
import { classifySmtpError } from '../classify.ts';
import { checkRecipient, type ChannelAdapter, type OutgoingMessage, type SendReceipt } from '../types.ts';
import { invoiceEmail } from './email-message.ts';
import { bareAddress } from './mime.ts';
import { SmtpPool } from './smtp-pool.ts';

/**
 * Email over SMTP: up to maxConnections connections per worker thread (nodemailer's
 * SMTPConnection, pooled by smtp-pool.ts), each reused for maxMessagesPerConnection messages
 * (no handshake per message).
 */
export class SmtpChannel implements ChannelAdapter {
  readonly channel = 'email' as const;
  readonly provider = 'smtp';
  private readonly pool: SmtpPool;
  private readonly from: string;

  constructor(settings: DeliverySettings['email'] & { smtpUrl: string }, options: { rejectUnauthorized?: boolean } = {}) {
    const url = new URL(settings.smtpUrl);
    this.from = settings.from;
    this.pool = new SmtpPool({
      host: url.hostname,
      port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : null,
      maxConnections: settings.maxConnections,
      maxMessagesPerConnection: settings.maxMessagesPerConnection,
      timeoutMs: settings.timeoutMs,
      // A plain local relay (or a test server) without a certificate: ignoreTLS=true in the URL.
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      tls: { rejectUnauthorized: options.rejectUnauthorized ?? url.searchParams.get('rejectUnauthorized') !== 'false' },
    });
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    checkRecipient('email', message.recipient);
    try {
      const info = await this.pool.send({ from: bareAddress(this.from), to: [message.recipient] }, invoiceEmail(this.from, message, new Date()));
      return { providerRef: info.response.slice(0, 500) };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  /** SMTP has no way to ask a server what it accepted. */
  findSent(): Promise<'unknown'> {
    return Promise.resolve('unknown');
  }

  close(): Promise<void> {
    this.pool.close();
    return Promise.resolve();
  }
}
