/** The dashboard's data: one read of runs, invoices, PDFs, deliveries, payments and queues. */
import { z } from 'zod';
import { cachedOverview } from '../../web/index.ts';
import { defineRoute } from '../route.ts';

const overview = cachedOverview(2_000);
const count = z.int();
const at = z.string().describe('ISO 8601');

const overviewSchema = z.object({
  at,
  runs: z.array(z.object({
    runId: z.int(), period: z.string(), status: z.string(), shardsTotal: count, shardsDone: count, shardsRunning: count, shardsParked: count,
    customers: count, invoices: count, quarantined: count, createdAt: at, finishedAt: at.nullable(),
    invoicesPerSec: z.int().nullable().describe('invoices over the time from the first shard start to the last shard finish'),
  })).describe('the ten latest billing runs, newest first'),
  runTimeline: z.array(z.object({ minute: at, invoices: count })).describe('invoices per minute of the latest run (by shard finish time)'),
  invoices: z.object({
    period: z.string().nullable().describe('the latest period with invoices'),
    byPaymentStatus: z.record(z.string(), count),
    byCurrency: z.array(z.object({ currency: z.string(), count, totalMinor: z.int() })),
  }),
  documents: z.object({ rendered: count, bytes: count, lastAt: at.nullable() }),
  deliveries: z.array(z.object({ channel: z.string(), status: z.string(), count })),
  payments: z.array(z.object({ status: z.string(), count, amountMinor: z.int() })).describe('payment attempts by status'),
  activity: z.array(z.object({ minute: at, sent: count, charged: count, rendered: count })).describe('per minute, the last hour'),
  queue: z.array(z.object({ task: z.string(), waiting: count, running: count, failed: count })).describe('graphile-worker jobs per task'),
  outbox: z.array(z.object({ consumer: z.string(), behind: count, eventsRead: count })),
  workers: z.int().describe('worker processes and threads seen in the last minute'),
});

export const overviewRoutes = [
  defineRoute({
    method: 'GET', url: '/api/v1/overview', scope: 'read', tag: 'Dashboard', operationId: 'getOverview',
    summary: 'Everything the dashboard shows: runs with progress and rates, invoices by payment status and currency, PDFs, deliveries, payments, queues',
    description: 'Computed at most every 2 s per server (the counts scan their tables). The dashboard at /dashboard polls it.',
    status: 200, response: { description: 'The overview', schema: overviewSchema },
    handler: (deps) => overview(deps.pool),
  }),
];
