/** Delivery: status per invoice × channel, dead letters, requeue, customer channel preferences. */
import { z } from 'zod';
import { pageLimitSchema, recordIdSchema } from '../../customers/index.ts';
import {
  CHANNELS, DELIVERY_STATUSES, deliveryCounts, listDeliveries, requeueDeliveries, setDeliveryPreferences, type Channel,
} from '../../notifications/index.ts';
import { defineRoute } from '../route.ts';
import { idParams } from './common.ts';

const tag = 'Deliveries';
const channelSchema = z.enum(CHANNELS as [Channel, ...Channel[]]);

const deliverySchema = z.object({
  id: z.int(), invoiceId: z.int(), invoiceNumber: z.string(),
  creditNoteId: z.int().nullable().describe('the credit note this delivery carries (an email with its PDF); null for the invoice\'s own messages'),
  creditNoteNumber: z.string().nullable(), channel: channelSchema, customerId: z.int(), recipient: z.string(),
  status: z.enum(DELIVERY_STATUSES).describe('pending → sending → sent; retrying (transient failure, nextAttemptAt); dead (a dead letter)'),
  attempts: z.int(), maxAttempts: z.int(),
  errorKind: z.enum(['permanent', 'transient', 'uncertain', 'exhausted']).nullable().describe('why the last attempt failed, when it did'),
  lastError: z.string().nullable().describe('the receiver\'s answer or the error, e.g. "SMTP: 550 5.1.1 no such user"'),
  providerRef: z.string().nullable().describe('SMTP reply, Twilio SID, WhatsApp message id, or outbox file'),
  messageId: z.string().describe('stable across attempts (the email Message-ID)'),
  requeues: z.int(), nextAttemptAt: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(), sentAt: z.string().nullable(),
});

const listQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional().describe('dead = the dead letters'),
  channel: channelSchema.optional(),
  invoiceId: recordIdSchema.optional(),
  customerId: recordIdSchema.optional(),
  limit: pageLimitSchema,
  after: recordIdSchema.optional().describe('cursor: the nextAfter of the previous page'),
});

const requeueBody = z.strictObject({
  ids: z.array(recordIdSchema).min(1).max(10_000).optional().describe('these deliveries (each must be dead or retrying)'),
  allDead: z.boolean().optional().describe('every dead letter (of `channel`, when given)'),
  channel: channelSchema.optional(),
}).refine((b) => (b.ids?.length ?? 0) > 0 || b.allDead === true, { message: 'give ids, or allDead: true', path: ['ids'] });

export const deliveryRoutes = [
  defineRoute({
    method: 'GET', url: '/api/v1/deliveries', scope: 'read', tag, operationId: 'listDeliveries',
    summary: 'Deliveries by status (dead letters: status=dead), channel, invoice or customer, oldest first',
    query: listQuery, status: 200,
    response: { description: 'A page of deliveries', schema: z.object({ deliveries: z.array(deliverySchema), nextAfter: z.int().nullable() }) },
    async handler(deps, { query }) {
      const limit = query.limit ?? 100;
      const deliveries = await listDeliveries(deps.pool, { ...query, afterId: query.after, limit });
      return { deliveries, nextAfter: deliveries.length === limit ? deliveries.at(-1)!.id : null };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/deliveries/counts', scope: 'read', tag, operationId: 'deliveryCounts',
    summary: 'How many deliveries per channel and status', status: 200,
    response: { description: 'Counts', schema: z.object({ counts: z.array(z.object({ channel: channelSchema, status: z.enum(DELIVERY_STATUSES), count: z.int() })) }) },
    handler: async (deps) => ({ counts: await deliveryCounts(deps.pool) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/invoices/:invoiceId/deliveries', scope: 'read', tag, operationId: 'getInvoiceDeliveries',
    summary: 'The delivery status of an invoice, per channel', params: idParams('invoiceId'), status: 200,
    response: { description: 'One row per channel the invoice goes out on (none before its events are dispatched)', schema: z.object({ deliveries: z.array(deliverySchema) }) },
    handler: async (deps, { params }) => ({ deliveries: await listDeliveries(deps.pool, { invoiceId: params.invoiceId, limit: 10 }) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/deliveries/requeue', scope: 'write', tag, operationId: 'requeueDeliveries',
    summary: 'Send dead letters (or waiting retries) again, with a fresh set of attempts',
    description: 'By ids (each must be dead or retrying, else 409 not_requeueable and nothing changes), or every dead letter with allDead. '
      + 'Same idempotency key and Message-ID as before: a requeue never creates a second delivery of an invoice on a channel.',
    body: requeueBody, status: 202, errors: [409], example: { allDead: true, channel: 'email' },
    response: { description: 'Queued again', schema: z.object({ requeued: z.int(), ids: z.array(z.int()) }) },
    handler: (deps, { body }) => requeueDeliveries(deps.pool, body),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/v1/customers/:customerId/delivery-preferences', scope: 'write', tag, operationId: 'setDeliveryPreferences',
    summary: 'The channels a customer receives invoices on (null: every channel with an address)',
    params: idParams('customerId'), body: z.strictObject({ channels: z.array(channelSchema).max(3).nullable() }), status: 200, errors: [404],
    example: { channels: ['email', 'whatsapp'] },
    response: { description: 'Saved', schema: z.object({ customerId: z.int(), channels: z.array(channelSchema).nullable() }) },
    async handler(deps, { params, body }) {
      await setDeliveryPreferences(deps.pool, params.customerId, body.channels);
      return { customerId: params.customerId, channels: body.channels };
    },
  }),
];
