import type { DeliverySettings } from '../../settings.ts';
import { providerRequest } from '../http.ts';
import { checkRecipient, type ChannelAdapter, type OutgoingMessage, type SendReceipt } from '../types.ts';

type TwilioSettings = NonNullable<DeliverySettings['sms']['twilio']>;

interface TwilioMessage {
  sid: string;
  to: string;
  body: string;
  status: string;
  date_created: string;
}

/** Messages looked at when asking Twilio whether a message was already sent (newest first). */
const LOOKUP_PAGE_SIZE = 50;
/** Clock difference between Twilio and us allowed when matching a message's creation time. */
const LOOKUP_SKEW_MS = 5 * 60_000;

/**
 * SMS through Twilio's Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded,
 * HTTP basic auth (account SID : auth token). After a crash between sending and recording,
 * findSent lists the recipient's recent messages and matches the exact body: Twilio has no
 * idempotency key on message creation, but it can be asked.
 */
export class TwilioSmsChannel implements ChannelAdapter {
  readonly channel = 'sms' as const;
  readonly provider = 'twilio';
  private readonly base: string;
  private readonly auth: string;

  constructor(private readonly settings: TwilioSettings, private readonly timeoutMs: number) {
    if (!settings.from && !settings.messagingServiceSid) throw new Error('delivery.sms.twilio: set from or messagingServiceSid');
    this.base = `${settings.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
    this.auth = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    checkRecipient('sms', message.recipient);
    const form = new URLSearchParams({ To: message.recipient, Body: message.text });
    if (this.settings.messagingServiceSid) form.set('MessagingServiceSid', this.settings.messagingServiceSid);
    else form.set('From', this.settings.from!);
    const created = await providerRequest<TwilioMessage>('twilio', this.base, {
      method: 'POST', timeoutMs: this.timeoutMs, body: form,
      headers: { authorization: this.auth, 'content-type': 'application/x-www-form-urlencoded' },
    });
    return { providerRef: created.sid };
  }

  async findSent(message: OutgoingMessage): Promise<SendReceipt | null> {
    const url = `${this.base}?${new URLSearchParams({ To: message.recipient, PageSize: String(LOOKUP_PAGE_SIZE) }).toString()}`;
    const page = await providerRequest<{ messages: TwilioMessage[] }>('twilio', url, { method: 'GET', timeoutMs: this.timeoutMs, headers: { authorization: this.auth } });
    const since = (message.sendingSince?.getTime() ?? 0) - LOOKUP_SKEW_MS;
    const found = page.messages.find((m) => m.body === message.text && Date.parse(m.date_created) >= since);
    return found ? { providerRef: found.sid } : null;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
