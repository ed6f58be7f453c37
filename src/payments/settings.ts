import { z } from 'zod';

/**
 * The `payments` config section (src/config): provider, limits, dunning and janitor schedules,
 * sandbox behaviour, Stripe connection, repayment duplicate window and refunds. Every limit is
 * explicit (design convention 12); see docs/payments.md.
 */
const sandboxSchema = z.strictObject({
  /** Simulated provider latency per call. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Share of charges (without test data on the customer) that are declined, 0..1. */
  failureRate: z.number().min(0).max(1).default(0),
  /** Share of charges that end in a timeout (not charged), a 5xx or a lost answer (charged), each. */
  timeoutRate: z.number().min(0).max(1).default(0),
  serverErrorRate: z.number().min(0).max(1).default(0),
  lostAnswerRate: z.number().min(0).max(1).default(0),
  /** How long a simulated timeout takes. */
  timeoutMs: z.number().int().min(0).max(120_000).default(50),
  /** Replay an idempotency key's first answer, as real providers do. Off in tests: a re-sent key shows as a second charge. */
  honourIdempotencyKeys: z.boolean().default(true),
});

const stripeSchema = z.strictObject({
  apiKey: z.string().min(1).default('sk_test_billflow'),
  /** Point the SDK elsewhere (a local Stripe-compatible server in tests); null = api.stripe.com. */
  host: z.string().min(1).nullable().default(null),
  port: z.number().int().min(1).max(65_535).nullable().default(null),
  protocol: z.enum(['http', 'https']).default('https'),
  timeoutMs: z.number().int().min(1_000).max(120_000).default(30_000),
});

export const paymentsSettingsSchema = z.strictObject({
  provider: z.enum(['sandbox', 'stripe']).default('sandbox'),
  /** Queue a collection job per shard after persist (the billing run's collect stage). */
  collectOnRun: z.boolean().default(true),
  /** Invoices claimed per transaction by a collector. */
  batchSize: z.number().int().min(1).max(10_000).default(500),
  /** Provider calls in flight per collector. */
  concurrency: z.number().int().min(1).max(1_000).default(64),
  /** Provider calls per second per collecting process (token bucket). */
  ratePerSec: z.number().int().min(1).max(1_000_000).default(5_000),
  /** A provider call that has not answered after this long counts as unknown (and so does its attempt row, after a crash). */
  callTimeoutMs: z.number().int().min(10).max(300_000).default(30_000),
  /** Days after a declined attempt when the next one is made (one entry per retry). */
  dunningDays: z.array(z.number().min(0).max(365)).max(20).default([1, 3, 7]),
  /** Attempts per invoice before it is marked failed for manual reconciliation. */
  maxAttempts: z.number().int().min(1).max(50).default(4),
  /** When the janitor asks the provider about an unknown outcome, in ms after the attempt; the last repeats. */
  janitorChecksMs: z.array(z.number().int().min(0)).min(1).max(20).default([300_000, 3_600_000, 86_400_000]),
  /** Attempts at graphile-worker level for a collect job. */
  jobMaxAttempts: z.number().int().min(1).max(25).default(5),
  sandbox: sandboxSchema.default({ latencyMs: 0, failureRate: 0, timeoutRate: 0, serverErrorRate: 0, lostAnswerRate: 0, timeoutMs: 50, honourIdempotencyKeys: true }),
  stripe: stripeSchema.default({ apiKey: 'sk_test_billflow', host: null, port: null, protocol: 'https', timeoutMs: 30_000 }),
  repayments: z.strictObject({
    /** Same customer, amount and channel within this window (and no distinct external reference) → a duplicate. */
    duplicateWindowMs: z.number().int().min(0).max(30 * 86_400_000).default(600_000),
    /** Refund a customer's excess (credit) through the provider. */
    refundExcess: z.boolean().default(false),
    /** Rows per import batch (one transaction each). */
    importBatchSize: z.number().int().min(1).max(100_000).default(1_000),
  }).default({ duplicateWindowMs: 600_000, refundExcess: false, importBatchSize: 1_000 }),
});

export type PaymentsSettings = z.infer<typeof paymentsSettingsSchema>;
export type SandboxSettings = PaymentsSettings['sandbox'];
export type StripeSettings = PaymentsSettings['stripe'];

export const DEFAULT_PAYMENTS_SETTINGS: PaymentsSettings = paymentsSettingsSchema.parse({});
