/** Usage records, in batches, idempotent per (customer, transactionId). */
import { z } from 'zod';
import { recordUsage, recordUsageSchema } from '../../usage/index.ts';
import { defineRoute } from '../route.ts';
import { libraryDeps } from './common.ts';

export const usageRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/usage', scope: 'write', tag: 'Usage', operationId: 'recordUsage',
    summary: 'Record a batch of usage events (up to 10,000)',
    description:
      'Each event counts once per (customerId, transactionId): a retried batch reports its events as duplicates instead of ' +
      'counting them twice. Every customer and metric must exist (404 naming the event).',
    body: z.strictObject({ events: recordUsageSchema }), status: 200, errors: [404],
    example: { events: [{ customerId: 1, metricCode: 'api_calls', occurredAt: '2026-11-05T10:15:00Z', value: 120, transactionId: 'evt-0001' }] },
    response: { description: 'What was counted', schema: z.object({ accepted: z.int(), duplicates: z.int() }) },
    handler: (deps, { body }) => recordUsage(libraryDeps(deps), body.events),
  }),
];
