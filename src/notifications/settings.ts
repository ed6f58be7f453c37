import { z } from 'zod';

/**
 * The `delivery` section of the configuration (src/config). Every limit is explicit: batch
 * sizes, concurrency, rates, attempts and timeouts per channel. With no SMTP URL or provider
 * credentials, a channel writes to files under the outbox folder (the embedded default).
 */
const limits = (d: { concurrency: number; ratePerSec: number; maxAttempts: number; timeoutMs: number }) => ({
  /** Messages in flight per worker thread. */
  concurrency: z.number().int().min(1).max(1_000).default(d.concurrency),
  /** Sends per second to the channel's provider, across every thread and process (a token bucket in Postgres); 0 = no limit. */
  ratePerSec: z.number().min(0).max(1_000_000).default(d.ratePerSec),
  /** Attempts before a transiently failing message goes to the dead letters. */
  maxAttempts: z.number().int().min(1).max(100).default(d.maxAttempts),
  /** One send (connection, command or HTTP request) gives up after this long: a transient failure. */
  timeoutMs: z.number().int().min(100).max(600_000).default(d.timeoutMs),
});

/**
 * What to do with a message found 'sending' after a crash (sent or not, nobody knows):
 * 'resend' (email: the same Message-ID, which receivers deduplicate; SMS: only after asking
 * Twilio whether it has it) or 'dead' (park it for a person to decide). See docs/delivery.md.
 */
const uncertain = z.enum(['resend', 'dead']);

export const deliverySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Files of the embedded default; null = <dataDir>/outbox (email/*.eml, sms.jsonl, whatsapp.jsonl). */
  outboxDir: z.string().min(1).nullable().default(null),
  /** Folder of message templates overriding templates/email (file by file); null = defaults only. */
  templatesDir: z.string().min(1).nullable().default(null),
  /** Outbox events per dispatch transaction. */
  dispatchBatchSize: z.number().int().min(1).max(50_000).default(2_000),
  /** Messages per send job. */
  sendBatchSize: z.number().int().min(1).max(5_000).default(200),
  /** Retry delay: baseMs × 2^(attempt-1), capped at maxMs, with full jitter (a random 50–100%). */
  backoff: z.strictObject({
    baseMs: z.number().int().min(1).max(3_600_000).default(2_000),
    maxMs: z.number().int().min(1).max(86_400_000).default(3_600_000),
  }).prefault({}),
  email: z.strictObject({
    /** smtp://user:pass@host:587 or smtps://…; null = .eml files in the outbox folder. */
    smtpUrl: z.string().min(1).nullable().default(null),
    from: z.string().min(3).default('Billflow <billing@billflow.local>'),
    /** The domain part of every Message-ID. */
    messageIdDomain: z.string().min(1).default('billflow.local'),
    /** Pooled SMTP connections per worker thread, and messages per connection before it is renewed. */
    maxConnections: z.number().int().min(1).max(100).default(8),
    maxMessagesPerConnection: z.number().int().min(1).max(1_000_000).default(10_000),
    onUncertain: uncertain.default('resend'),
    ...limits({ concurrency: 32, ratePerSec: 0, maxAttempts: 8, timeoutMs: 30_000 }),
  }).prefault({}),
  sms: z.strictObject({
    /** Twilio's Messages API; null = JSON lines in the outbox folder. */
    twilio: z.strictObject({
      baseUrl: z.string().url().default('https://api.twilio.com'),
      accountSid: z.string().min(1),
      authToken: z.string().min(1),
      from: z.string().min(1).nullable().default(null),
      messagingServiceSid: z.string().min(1).nullable().default(null),
    }).nullable().default(null),
    onUncertain: uncertain.default('resend'),
    ...limits({ concurrency: 16, ratePerSec: 50, maxAttempts: 8, timeoutMs: 15_000 }),
  }).prefault({}),
  whatsapp: z.strictObject({
    /** The WhatsApp Cloud API; null = JSON lines in the outbox folder. */
    cloud: z.strictObject({
      baseUrl: z.string().url().default('https://graph.facebook.com'),
      apiVersion: z.string().regex(/^v\d+\.\d+$/).default('v21.0'),
      phoneNumberId: z.string().min(1),
      accessToken: z.string().min(1),
    }).nullable().default(null),
    /** The Cloud API cannot be asked whether a message was sent: park uncertain ones by default. */
    onUncertain: uncertain.default('dead'),
    ...limits({ concurrency: 16, ratePerSec: 50, maxAttempts: 8, timeoutMs: 30_000 }),
  }).prefault({}),
});

export type DeliverySettings = z.infer<typeof deliverySchema>;
export type DeliverySettingsInput = z.input<typeof deliverySchema>;
export type Channel = 'email' | 'sms' | 'whatsapp';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'whatsapp'];

/** Settings from a partial input (tests, benchmarks), with every default filled in. */
export function deliverySettings(input: DeliverySettingsInput = {}): DeliverySettings {
  return deliverySchema.parse(input);
}
