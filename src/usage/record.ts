/**
 * recordUsage: a batch of metered events (≤ 10,000 per call), idempotent per
 * (customer, transactionId) so a client may retry a whole batch safely: replayed events are
 * counted as duplicates, not inserted twice. The batch is validated in full (every event's
 * fields, then every customer and metric it names) before one insert statement.
 */
import { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import { inTransaction, notFound, parseInput, recordIdSchema, run, textIdSchema, type Deps } from '../customers/index.ts';
import { usageSql, type UsageColumns } from './usage-sql.ts';

export const MAX_USAGE_BATCH = 10_000;

export const usageEventSchema = z.strictObject({
  customerId: recordIdSchema,
  metricCode: textIdSchema,
  /** ISO 8601 timestamp with Z or an offset: '2026-11-05T10:15:00Z', '2026-11-05T15:45:00+05:30'. */
  occurredAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 timestamp with Z or an offset' }),
  value: z.int({ error: 'expected a whole number' }).min(0, { error: 'must be ≥ 0' }).default(1),
  /** What a unique_count metric counts (e.g. a user id). */
  uniqueKey: z.string().min(1).max(200, { error: 'at most 200 characters' }).optional(),
  /** The client's idempotency key, unique per customer. */
  transactionId: z.string().trim().min(1, { error: 'must not be empty' }).max(200, { error: 'at most 200 characters' }),
});
export type UsageEventInput = z.input<typeof usageEventSchema>;

export const recordUsageSchema = z
  .array(usageEventSchema)
  .min(1, { error: 'at least one event' })
  .max(MAX_USAGE_BATCH, { error: `at most ${MAX_USAGE_BATCH} events per call` });

export interface RecordUsageResult {
  accepted: number;
  duplicates: number;
}

type UsageEvent = z.output<typeof usageEventSchema>;

function columns(events: readonly UsageEvent[]): UsageColumns {
  return {
    customerIds: events.map((e) => e.customerId),
    metricCodes: events.map((e) => e.metricCode),
    occurredAt: events.map((e) => e.occurredAt),
    values: events.map((e) => e.value),
    uniqueKeys: events.map((e) => e.uniqueKey ?? null),
    transactionIds: events.map((e) => e.transactionId),
  };
}

function missing(events: readonly UsageEvent[], known: ReadonlySet<unknown>, key: 'customerId' | 'metricCode'): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  events.forEach((e, i) => {
    if (!known.has(e[key])) details.push({ field: `events[${i}].${key}`, message: `unknown ${key === 'customerId' ? 'customer' : 'metric'} ${e[key]}` });
  });
  return details;
}

export async function recordUsage(deps: Deps, events: readonly UsageEventInput[]): Promise<RecordUsageResult> {
  const parsed = parseInput(recordUsageSchema, events, ['events']);
  const data = columns(parsed);
  return inTransaction(deps.db, async (client) => {
    const customerIds = [...new Set(data.customerIds)];
    const metricCodes = [...new Set(data.metricCodes)];
    const customers = new Set((await run<{ id: number }>(client, usageSql.existingCustomers(customerIds))).rows.map((r) => r.id));
    if (customers.size < customerIds.length) throw notFound('customer', missing(parsed, customers, 'customerId'));
    const metrics = new Set((await run<{ code: string }>(client, usageSql.existingMetrics(metricCodes))).rows.map((r) => r.code));
    if (metrics.size < metricCodes.length) throw notFound('metric', missing(parsed, metrics, 'metricCode'));
    const accepted = (await run(client, usageSql.insert(data))).rowCount ?? 0;
    return { accepted, duplicates: parsed.length - accepted };
  });
}
