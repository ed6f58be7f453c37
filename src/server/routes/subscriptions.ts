/** Subscriptions: start, list (filters, cursor), get, cancel, change plan. */
import { z } from 'zod';
import {
  cancelSubscription,
  cancelSubscriptionSchema,
  changePlan,
  changePlanSchema,
  createSubscription,
  createSubscriptionSchema,
  getSubscription,
  listSubscriptions,
  listSubscriptionsSchema,
} from '../../subscriptions/index.ts';
import { defineRoute } from '../route.ts';
import { subscriptionSchema } from '../schemas.ts';
import { idParams, libraryDeps } from './common.ts';

const tag = 'Subscriptions';
const params = idParams('subscriptionId');

export const subscriptionRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/subscriptions', scope: 'write', tag, operationId: 'createSubscription',
    summary: 'Subscribe a customer to a plan', description: "trialDays defaults to the plan's; 0 = no trial.",
    body: createSubscriptionSchema, status: 201, errors: [404, 409], example: { customerId: 1, planId: 'pro', startedOn: '2026-11-05' },
    response: { description: 'The subscription', schema: subscriptionSchema },
    handler: (deps, { body }) => createSubscription(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/subscriptions', scope: 'read', tag, operationId: 'listSubscriptions',
    summary: 'List subscriptions by id, with filters and a cursor',
    description:
      'Filters: customerId, planId, status (active: not ended on asOf, default today; ended: ended on or before it). ' +
      'Pass the `nextAfter` of a page as `after` for the next one; null on the last page.',
    query: listSubscriptionsSchema, status: 200,
    response: {
      description: 'A page of subscriptions',
      schema: z.object({ subscriptions: z.array(subscriptionSchema), nextAfter: z.int().nullable() }),
    },
    handler: (deps, { query }) => listSubscriptions(libraryDeps(deps), query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/subscriptions/:subscriptionId', scope: 'read', tag, operationId: 'getSubscription',
    summary: 'Get a subscription', params, status: 200, errors: [404],
    response: { description: 'The subscription', schema: subscriptionSchema },
    handler: (deps, { params: p }) => getSubscription(deps.pool, p.subscriptionId),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/subscriptions/:subscriptionId/cancel', scope: 'write', tag, operationId: 'cancelSubscription',
    summary: 'Cancel a subscription', description: 'endsOn is exclusive: the first day no longer billed. An ended subscription: 409.',
    params, body: cancelSubscriptionSchema.omit({ subscriptionId: true }), status: 200, errors: [404, 409],
    example: { endsOn: '2026-12-01' },
    response: { description: 'The ended subscription', schema: subscriptionSchema },
    handler: (deps, { params: p, body }) => cancelSubscription(libraryDeps(deps), { ...body, subscriptionId: p.subscriptionId }),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/subscriptions/:subscriptionId/change-plan', scope: 'write', tag, operationId: 'changePlan',
    summary: 'Move a subscription to another plan on a day',
    description: 'Ends the subscription on `on` and starts the new plan the same day; each plan is billed for its own days.',
    params, body: changePlanSchema.omit({ subscriptionId: true }), status: 200, errors: [404, 409],
    example: { newPlanId: 'enterprise', on: '2026-11-15' },
    response: { description: 'The ended and the started subscription', schema: z.object({ ended: subscriptionSchema, started: subscriptionSchema }) },
    handler: (deps, { params: p, body }) => changePlan(libraryDeps(deps), { ...body, subscriptionId: p.subscriptionId }),
  }),
];
