/**
 * Subscription lifecycle: start, cancel, change plan. Intervals are half-open [startedOn,
 * endedOn): a plan change on day D ends the old subscription at D and starts the new one at D
 * (previous_id linking them), so proration.ts bills each plan for its own days with none
 * counted twice. A trial in progress carries over to the new plan rather than restarting.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { IsoDate } from '../billing/types.ts';
import {
  conflict,
  inTransaction,
  invalidInputError,
  isoDateSchema,
  lockCustomer,
  notFound,
  pageLimitSchema,
  parseInput,
  recordIdSchema,
  run,
  textIdSchema,
  todayOf,
  type Deps,
} from '../customers/index.ts';
import { trialEndsOn } from './proration.ts';
import { subscriptionsSql } from './subscriptions-sql.ts';

const MAX_TRIAL_DAYS = 3650;

export const createSubscriptionSchema = z.strictObject({
  customerId: recordIdSchema,
  planId: textIdSchema,
  startedOn: isoDateSchema,
  /** Defaults to the plan's trial_days; 0 = no trial. */
  trialDays: z.int().min(0, { error: 'must be ≥ 0' }).max(MAX_TRIAL_DAYS, { error: `at most ${MAX_TRIAL_DAYS}` }).optional(),
});
export type CreateSubscriptionInput = z.input<typeof createSubscriptionSchema>;

export const cancelSubscriptionSchema = z.strictObject({
  subscriptionId: recordIdSchema,
  /** Exclusive end: the first day no longer billed. */
  endsOn: isoDateSchema,
});
export type CancelSubscriptionInput = z.input<typeof cancelSubscriptionSchema>;

export const changePlanSchema = z.strictObject({
  subscriptionId: recordIdSchema,
  newPlanId: textIdSchema,
  /** The day the new plan starts and the old one ends. */
  on: isoDateSchema,
});
export type ChangePlanInput = z.input<typeof changePlanSchema>;

export const listSubscriptionsSchema = z.strictObject({
  customerId: recordIdSchema.optional(),
  planId: textIdSchema.optional(),
  /** active: not ended on `asOf` (default today); ended: ended on or before it. */
  status: z.enum(['active', 'ended']).optional(),
  asOf: isoDateSchema.optional(),
  limit: pageLimitSchema,
  /** Cursor: the nextAfter of the previous page. */
  after: recordIdSchema.optional(),
});
export type ListSubscriptionsInput = z.input<typeof listSubscriptionsSchema>;

export interface Subscription {
  id: number;
  customerId: number;
  planId: string;
  startedOn: IsoDate;
  trialEndsOn: IsoDate | null; // first paid day
  endedOn: IsoDate | null; // exclusive
  previousId: number | null;
  createdAt: string;
}

export interface PlanChange {
  ended: Subscription;
  started: Subscription;
}

interface SubscriptionRow {
  id: number;
  customer_id: number;
  plan_id: string;
  started_on: string;
  trial_ends_on: string | null;
  ended_on: string | null;
  previous_id: number | null;
  created_at: Date;
}

function rowToSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    customerId: row.customer_id,
    planId: row.plan_id,
    startedOn: row.started_on,
    trialEndsOn: row.trial_ends_on,
    endedOn: row.ended_on,
    previousId: row.previous_id,
    createdAt: row.created_at.toISOString(),
  };
}

async function planTrialDays(client: pg.PoolClient, planId: string, field: string): Promise<number> {
  const row = (await run<{ trial_days: number }>(client, subscriptionsSql.planTrialDays(planId))).rows[0];
  if (row === undefined) throw notFound('plan', [{ field, message: `no plan '${planId}'` }]);
  return row.trial_days;
}

/** The subscription, locked; 404 if missing, 409 if it has already ended. */
async function lockOpenSubscription(client: pg.PoolClient, id: number): Promise<SubscriptionRow> {
  const row = (await run<SubscriptionRow>(client, subscriptionsSql.byIdForUpdate(id))).rows[0];
  if (row === undefined) throw notFound('subscription', [{ field: 'subscriptionId', message: `no subscription with id ${id}` }]);
  if (row.ended_on !== null) throw conflict('subscriptionId', `subscription ${id} already ended on ${row.ended_on}`);
  return row;
}

export async function createSubscription(deps: Deps, input: CreateSubscriptionInput): Promise<Subscription> {
  const { customerId, planId, startedOn, trialDays } = parseInput(createSubscriptionSchema, input);
  return inTransaction(deps.db, async (client) => {
    const customer = await lockCustomer(client, customerId);
    const planTrial = await planTrialDays(client, planId, 'planId');
    if (customer.status === 'closed') throw conflict('customerId', `customer ${customerId} is closed`);
    const trialEnd = trialEndsOn(startedOn, trialDays ?? planTrial);
    const sql = subscriptionsSql.insert({ customerId, planId, startedOn, trialEndsOn: trialEnd, previousId: null });
    return rowToSubscription((await run<SubscriptionRow>(client, sql)).rows[0]!);
  });
}

export async function cancelSubscription(deps: Deps, input: CancelSubscriptionInput): Promise<Subscription> {
  const { subscriptionId, endsOn } = parseInput(cancelSubscriptionSchema, input);
  return inTransaction(deps.db, async (client) => {
    const current = await lockOpenSubscription(client, subscriptionId);
    if (endsOn < current.started_on) {
      throw invalidInputError([{ field: 'endsOn', message: `must be on or after the start date ${current.started_on}` }]);
    }
    return rowToSubscription((await run<SubscriptionRow>(client, subscriptionsSql.end(subscriptionId, endsOn))).rows[0]!);
  });
}

/** Ends the subscription on `on` and starts `newPlanId` the same day, in one transaction. */
export async function changePlan(deps: Deps, input: ChangePlanInput): Promise<PlanChange> {
  const { subscriptionId, newPlanId, on } = parseInput(changePlanSchema, input);
  return inTransaction(deps.db, async (client) => {
    const current = await lockOpenSubscription(client, subscriptionId);
    await planTrialDays(client, newPlanId, 'newPlanId');
    if (newPlanId === current.plan_id) {
      throw invalidInputError([{ field: 'newPlanId', message: `subscription ${subscriptionId} is already on plan '${newPlanId}'` }]);
    }
    if (on < current.started_on) {
      throw invalidInputError([{ field: 'on', message: `must be on or after the start date ${current.started_on}` }]);
    }
    const ended = (await run<SubscriptionRow>(client, subscriptionsSql.end(subscriptionId, on))).rows[0]!;
    // ISO dates compare correctly as strings.
    const trialLeft = current.trial_ends_on !== null && current.trial_ends_on > on ? current.trial_ends_on : null;
    const sql = subscriptionsSql.insert({
      customerId: current.customer_id, planId: newPlanId, startedOn: on, trialEndsOn: trialLeft, previousId: subscriptionId,
    });
    const started = (await run<SubscriptionRow>(client, sql)).rows[0]!;
    return { ended: rowToSubscription(ended), started: rowToSubscription(started) };
  });
}

export async function getSubscription(db: pg.Pool, subscriptionId: number): Promise<Subscription> {
  const id = parseInput(recordIdSchema, subscriptionId, ['subscriptionId']);
  const row = (await run<SubscriptionRow>(db, subscriptionsSql.byId(id))).rows[0];
  if (row === undefined) throw notFound('subscription', [{ field: 'subscriptionId', message: `no subscription with id ${id}` }]);
  return rowToSubscription(row);
}

/** Subscriptions by id, filtered, with a cursor: `nextAfter` continues, null on the last page. */
export async function listSubscriptions(deps: Deps, input: ListSubscriptionsInput = {}): Promise<{ subscriptions: Subscription[]; nextAfter: number | null }> {
  const f = parseInput(listSubscriptionsSchema, input);
  const sql = subscriptionsSql.page({
    customerId: f.customerId ?? null, planId: f.planId ?? null, status: f.status ?? null, asOf: f.asOf ?? todayOf(deps.clock),
    after: f.after ?? 0, limit: f.limit,
  });
  const subscriptions = (await run<SubscriptionRow>(deps.db, sql)).rows.map(rowToSubscription);
  const last = subscriptions[subscriptions.length - 1];
  return { subscriptions, nextAfter: subscriptions.length === f.limit && last !== undefined ? last.id : null };
}
