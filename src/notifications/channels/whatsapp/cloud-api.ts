import type { DeliverySettings } from '../../settings.ts';
import { providerRequest } from '../http.ts';
import { checkRecipient, type ChannelAdapter, type OutgoingMessage, type SendReceipt } from '../types.ts';

type CloudSettings = NonNullable<DeliverySettings['whatsapp']['cloud']>;

/**
 * WhatsApp through the WhatsApp Cloud API (Graph API): the PDF is uploaded with
 * POST /{version}/{phone-number-id}/media (multipart), then sent with POST /{version}/
 * {phone-number-id}/messages as a document whose caption is the message text — one message,
 * so a retry never leaves a text without its document. Without a PDF, a text message.
 * The API cannot be asked what was sent: findSent answers 'unknown'.
 */
export class WhatsAppCloudChannel implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  readonly provider = 'whatsapp-cloud';
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(settings: CloudSettings, private readonly timeoutMs: number) {
    this.base = `${settings.baseUrl.replace(/\/$/, '')}/${settings.apiVersion}/${encodeURIComponent(settings.phoneNumberId)}`;
    this.headers = { authorization: `Bearer ${settings.accessToken}` };
  }

  private async uploadPdf(attachment: { filename: string; content: Buffer }): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'application/pdf');
    form.set('file', new Blob([attachment.content], { type: 'application/pdf' }), attachment.filename);
    const uploaded = await providerRequest<{ id: string }>('whatsapp', `${this.base}/media`, { method: 'POST', timeoutMs: this.timeoutMs, body: form, headers: this.headers });
    return uploaded.id;
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    checkRecipient('whatsapp', message.recipient);
    const to = message.recipient.replace(/^\+/, '');
    const body = message.attachment
      ? { type: 'document', document: { id: await this.uploadPdf(message.attachment), filename: message.attachment.filename, caption: message.text } }
      : { type: 'text', text: { preview_url: false, body: message.text } };
    const sent = await providerRequest<{ messages?: { id: string }[] }>('whatsapp', `${this.base}/messages`, {
      method: 'POST', timeoutMs: this.timeoutMs,
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, biz_opaque_callback_data: message.idempotencyKey, ...body }),
    });
    return { providerRef: sent.messages?.[0]?.id ?? 'accepted' };
  }

  findSent(): Promise<'unknown'> {
    return Promise.resolve('unknown');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
