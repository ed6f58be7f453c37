/**
 * Subscriptions: lifecycle writes (start, cancel, change plan) and, re-exported, the pure
 * day-based proration the billing run applies to the intervals they leave behind.
 */
export {
  createSubscription,
  cancelSubscription,
  changePlan,
  getSubscription,
  listSubscriptions,
  listSubscriptionsSchema,
  createSubscriptionSchema,
  cancelSubscriptionSchema,
  changePlanSchema,
} from './lifecycle.ts';
export type {
  Subscription,
  PlanChange,
  CreateSubscriptionInput,
  CancelSubscriptionInput,
  ChangePlanInput,
  ListSubscriptionsInput,
} from './lifecycle.ts';
export * from './proration.ts';
