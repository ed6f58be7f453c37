/**
 * Notifications: invoices delivered by email (SMTP), SMS (Twilio) and WhatsApp (Cloud API), or to
 * files in the outbox folder when nothing is configured. Driven by the outbox (src/events): SMS
 * after invoice.issued, email and WhatsApp after invoice.document_rendered. See docs/delivery.md.
 */
export { deliveryTasks, threadDeliveryContext, closeDeliveryChannels } from './delivery/tasks.ts';
export { runDispatch, DELIVERY_CONSUMER } from './delivery/dispatch.ts';
export type { DispatchSummary } from './delivery/dispatch.ts';
export { processSendJob, STALE_SENDING_MS } from './delivery/send.ts';
export type { DeliveryContext, SendSummary } from './delivery/send.ts';
export { DISPATCH_TASK, SEND_TASK } from './delivery/delivery-sql.ts';
export {
  listDeliveries, deliveryCounts, requeueDeliveries, setDeliveryPreferences, DELIVERY_STATUSES, MAX_LIST_LIMIT,
} from './delivery/admin.ts';
export type { DeliveryRow, DeliveryFilter, DeliveryStatus } from './delivery/admin.ts';
export { idempotencyKey, messageIdFor, backoffMs } from './delivery/plan.ts';
export { RateLimiter, SharedRateLimiter, type Limiter } from '../limits/index.ts';
export { openChannels, outboxDirOf, DeliveryFailure } from './channels/index.ts';
export type { ChannelAdapter, OutgoingMessage } from './channels/index.ts';
export { SmtpChannel } from './channels/email/smtp.ts';
export { TwilioSmsChannel } from './channels/sms/twilio.ts';
export { WhatsAppCloudChannel } from './channels/whatsapp/cloud-api.ts';
export { loadMessageTemplates, renderMessages } from './templates/message-templates.ts';
export { deliverySettings, deliverySchema, CHANNELS } from './settings.ts';
export type { Channel, DeliverySettings, DeliverySettingsInput } from './settings.ts';
