import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { BillflowError } from '../errors.ts';
import { deliverySchema } from '../notifications/settings.ts';
import { paymentsSettingsSchema } from '../payments/settings.ts';

/**
 * Configuration, layered: defaults ← file (billflow.config.json or --config) ← environment
 * ← command-line flags. Validated once with zod; every limit is explicit (design convention 12).
 */
/** Local worker threads: one per two cores (worker.concurrency shards each). */
const DEFAULT_WORKER_THREADS = Math.max(1, Math.ceil(availableParallelism() / 2));

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).default('.billflow'),
  databaseUrl: z.string().url().optional(),
  billing: z
    .strictObject({
      /** Customers per shard (one job, one transaction). */
      shardSize: z.number().int().min(1).max(100_000).default(5_000),
      /**
       * Worker threads the CLI runs locally; 0 = leave the work to `billflow worker` processes.
       * Default: one per two cores, each taking worker.concurrency shards at a time (see there).
       */
      workers: z.number().int().min(0).max(64).default(DEFAULT_WORKER_THREADS),
      /** Attempts per shard before it is parked (graphile-worker retries with exponential backoff). */
      maxAttempts: z.number().int().min(1).max(25).default(5),
      /** Days from issue date to due date. */
      netTermsDays: z.number().int().min(0).max(365).default(15),
      /** Currency totals are also converted to this one for reports. */
      reportingCurrency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
    })
    .default({ shardSize: 5_000, workers: DEFAULT_WORKER_THREADS, maxAttempts: 5, netTermsDays: 15, reportingCurrency: 'USD' }),
  schedule: z
    .strictObject({
      /** Cron (UTC) for the monthly billing run of the previous period, e.g. '0 2 1 * *'; null = off. */
      monthlyRun: z.string().nullable().default(null),
    })
    .default({ monthlyRun: null }),
  worker: z
    .strictObject({
      /**
       * Concurrent jobs per worker thread. Two: Postgres does more than half of a shard's work, so
       * one thread computes a shard while its other shard waits on the database. On 2 cores, one
       * thread × 2 billed 1M customers with ~12% less CPU than two threads × 1 (one isolate to
       * load, warm up and collect instead of two) and as many Postgres backends (docs/decisions.md).
       */
      concurrency: z.number().int().min(1).max(32).default(2),
      pollIntervalMs: z.number().int().min(100).max(60_000).default(1_000),
      heartbeatMs: z.number().int().min(500).max(60_000).default(5_000),
      /** A worker silent for this long is considered dead and its jobs are unlocked. */
      deadAfterMs: z.number().int().min(2_000).max(3_600_000).default(60_000),
    })
    .default({ concurrency: 2, pollIntervalMs: 1_000, heartbeatMs: 5_000, deadAfterMs: 60_000 }),
  api: z
    .strictObject({
      /** `billflow serve` listens here unless --port/--host say otherwise. */
      port: z.number().int().min(0).max(65_535).default(3000),
      host: z.string().min(1).default('127.0.0.1'),
      /** Largest JSON request body; larger ones are refused with 413. */
      bodyLimitBytes: z.number().int().min(1_024).max(64 * 1_048_576).default(1_048_576),
      /** Largest streamed customer import (NDJSON or CSV) in one request. */
      importLimitBytes: z.number().int().min(1_024).max(16 * 1_073_741_824).default(1_073_741_824),
      rateLimit: z
        .strictObject({
          /** Requests per key per window (a key's own rate_limit overrides it). */
          max: z.number().int().min(1).max(10_000_000).default(6_000),
          windowMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
        })
        .default({ max: 6_000, windowMs: 60_000 }),
      /** How long a verified API key is trusted from memory (revocations also notify servers at once). */
      keyCacheMs: z.number().int().min(0).max(3_600_000).default(30_000),
      /** A request holding an Idempotency-Key longer than this is presumed dead; its key can be retried. */
      idempotencyLockMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
      /** Coalesced GET-invoice queries in flight at once (each holds a pool connection). */
      readBatchesInFlight: z.number().int().min(1).max(64).default(4),
      /** What POST /api/v1/user/register fills in that its body does not carry. */
      registerDefaults: z
        .strictObject({
          currency: z.string().regex(/^[A-Z]{3}$/).default('INR'),
          country: z.string().regex(/^[A-Z]{2}$/).default('IN'),
          taxRegion: z.string().min(1).nullable().default('IN-MH'),
          legalEntityId: z.string().min(1).default('in'),
          locale: z.string().min(2).default('en'),
        })
        .default({ currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in', locale: 'en' }),
    })
    .default({
      port: 3000, host: '127.0.0.1', bodyLimitBytes: 1_048_576, importLimitBytes: 1_073_741_824,
      rateLimit: { max: 6_000, windowMs: 60_000 }, keyCacheMs: 30_000, idempotencyLockMs: 600_000, readBatchesInFlight: 4,
      registerDefaults: { currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in', locale: 'en' },
    }),
  /** Invoice PDFs (src/documents, docs/documents.md). */
  documents: z
    .strictObject({
      /** A folder of templates overriding the defaults (file by file); null = templates/ only. */
      templatesDir: z.string().min(1).nullable().default(null),
      /** Documents per Typst compile: bigger batches amortise the PDF export (see docs/documents.md). */
      batchSize: z.number().int().min(1).max(1_000).default(300),
      /** A worker's Typst compiler is replaced after this many documents (bounded memory). */
      recycleAfterDocuments: z.number().int().min(100).max(10_000_000).default(20_000),
      /** Attempts per render job before it is parked. */
      maxAttempts: z.number().int().min(1).max(25).default(5),
      storage: z.enum(['dir', 's3']).default('dir'),
      /** Folder for storage 'dir'; null = <dataDir>/documents. */
      dir: z.string().min(1).nullable().default(null),
      s3: z
        .strictObject({
          bucket: z.string().min(1),
          prefix: z.string().default(''),
          region: z.string().min(1).default('us-east-1'),
          endpoint: z.string().url().nullable().default(null),
          forcePathStyle: z.boolean().default(false),
          accessKeyId: z.string().min(1).nullable().default(null),
          secretAccessKey: z.string().min(1).nullable().default(null),
        })
        .nullable()
        .default(null),
    })
    .default({ templatesDir: null, batchSize: 300, recycleAfterDocuments: 20_000, maxAttempts: 5, storage: 'dir', dir: null, s3: null }),
  /** Invoice delivery by email, SMS and WhatsApp (src/notifications, docs/delivery.md). */
  delivery: deliverySchema.prefault({}),
  /** Payments, repayments and collection (src/payments, docs/payments.md). */
  payments: paymentsSettingsSchema.default(() => paymentsSettingsSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object'
        ? merge(prev as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out as T;
}

function intEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new BillflowError('invalid_config', `${name}: expected an integer, got '${raw}'`, { details: [{ field: name, message: 'expected an integer' }] });
  return n;
}

function fromEnv(): DeepPartial<ConfigInput> {
  return {
    dataDir: process.env.BILLFLOW_DATA_DIR || undefined,
    databaseUrl: process.env.DATABASE_URL || undefined,
    billing: {
      shardSize: intEnv('BILLFLOW_SHARD_SIZE'),
      workers: intEnv('BILLFLOW_WORKERS'),
      maxAttempts: intEnv('BILLFLOW_MAX_ATTEMPTS'),
    },
    schedule: { monthlyRun: process.env.BILLFLOW_MONTHLY_RUN_CRON || undefined },
    api: {
      port: intEnv('BILLFLOW_API_PORT'),
      host: process.env.BILLFLOW_API_HOST || undefined,
      rateLimit: { max: intEnv('BILLFLOW_API_RATE_LIMIT') },
    },
    documents: { templatesDir: process.env.BILLFLOW_TEMPLATES_DIR || undefined },
    delivery: { email: { smtpUrl: process.env.BILLFLOW_SMTP_URL || undefined } },
    payments: {
      provider: (process.env.BILLFLOW_PAYMENT_PROVIDER || undefined) as 'sandbox' | 'stripe' | undefined,
      collectOnRun: process.env.BILLFLOW_COLLECT_ON_RUN ? process.env.BILLFLOW_COLLECT_ON_RUN !== 'false' : undefined,
    },
  };
}

export function loadConfig(options: { file?: string; flags?: DeepPartial<ConfigInput> } = {}): Config {
  const path = resolve(options.file ?? 'billflow.config.json');
  let fileConfig: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      fileConfig = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new BillflowError('invalid_config', `${path}: not valid JSON (${(error as Error).message})`);
    }
  } else if (options.file) {
    throw new BillflowError('invalid_config', `config file not found: ${path}`);
  }
  const layered = merge(merge(fileConfig, fromEnv() as Record<string, unknown>), (options.flags ?? {}) as Record<string, unknown>);
  const parsed = configSchema.safeParse(layered);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message }));
    throw new BillflowError('invalid_config', `invalid configuration: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, { details });
  }
  return parsed.data;
}
