/** Usage: metered events in, idempotent per (customer, transactionId). */
export { recordUsage, usageEventSchema, recordUsageSchema, MAX_USAGE_BATCH } from './record.ts';
export type { UsageEventInput, RecordUsageResult } from './record.ts';
