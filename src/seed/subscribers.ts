/**
 * Subscription customers: SaaS (a plan with a base fee and 3–5 metered charges, sometimes a
 * coupon, started/canceled/changed/trialing mid-period) and utility (a meter with a fixed fee,
 * graduated or volume kWh tiers, a network charge and a levy). Each gets 3–8 usage events in its
 * billing window — at least one per metric its plans meter, so every metered charge bills a line.
 */
import { type SeedCurrency, type SeedPlan, SERVICE_ITEMS, planById, planMetrics, toMinor } from './catalog.ts';
import type { CustomerFacts } from './customer.ts';
import { addOneOff } from './one-offs.ts';
import { addMonthsToPeriod, clampedDay } from './calendar.ts';
import { Rng, WeightedTable } from './prng.ts';
import { type GenContext, nextId, windowFor } from './rows.ts';

const SAAS_PLANS = new WeightedTable<string>([['saas_starter', 40], ['saas_growth', 35], ['saas_scale', 25]]);
type SaasScenario = 'steady' | 'started' | 'canceled' | 'changed' | 'trial';
const SAAS_SCENARIOS = new WeightedTable<SaasScenario>([
  ['steady', 64], ['started', 10], ['canceled', 7], ['changed', 10], ['trial', 9],
]);
const ACTIVE_USER_KEYS = Array.from({ length: 40 }, (_, i) => `user-${String(i + 1).padStart(2, '0')}`);
const COUPON_SHARE = 0.25;
/** Larger plans make more API calls (and use more of their larger free allowance). */
const API_SCALE: Record<string, number> = { saas_starter: 1, saas_growth: 3, saas_scale: 8 };

/** Payment volume per event, major units (the metric's values are minor units). */
const VOLUME_MAJOR: Record<SeedCurrency, readonly [number, number]> = {
  USD: [200, 40_000], EUR: [200, 35_000], GBP: [150, 30_000], INR: [15_000, 3_000_000], JPY: [30_000, 6_000_000], KWD: [60, 12_000],
};

interface SubscriptionSpec {
  plan: SeedPlan;
  startDay: number;
  trialEndDay: number | null;
  endDay: number | null; // exclusive
  previousId: number | null;
  /** False for the plan a customer left mid-period: billing prices usage once, on the new plan. */
  billsUsage?: boolean;
}

/** Writes a subscription row; returns [id, expected invoice lines in the window]. */
function addSubscription(ctx: GenContext, facts: CustomerFacts, spec: SubscriptionSpec): [number, number] {
  const id = nextId(ctx, 'subscriptions');
  const d = ctx.days;
  ctx.rows.subscriptions.push([
    id, facts.id, spec.plan.id, d.format(spec.startDay), spec.trialEndDay === null ? null : d.format(spec.trialEndDay),
    spec.endDay === null ? null : d.format(spec.endDay), spec.previousId, d.timestamp(spec.startDay, 9 * 3600),
  ]);
  if (spec.startDay < facts.earliestDay) facts.earliestDay = spec.startDay;
  const w = windowFor(ctx, facts.anchorDay);
  const activeEnd = Math.min(spec.endDay ?? w.endDay, w.endDay);
  // A subscription in trial for all of its days in the window bills nothing (usage included).
  const trialCoversWindow = spec.trialEndDay !== null && spec.trialEndDay >= activeEnd;
  const lines = spec.billsUsage === false ? spec.plan.charges.filter((c) => c.metricCode === null).length : spec.plan.charges.length;
  return [id, trialCoversWindow ? 0 : lines];
}

function trialEnd(plan: SeedPlan, startDay: number): number | null {
  return plan.trialDays > 0 ? startDay + plan.trialDays : null;
}

/** One event's value; `scale` sizes volume metrics to the customer (bigger plan, more calls). */
function usageValue(metric: string, rng: Rng, currency: SeedCurrency, scale: number): [number, string | null] {
  switch (metric) {
    case 'api_calls': return [rng.int(500, 40_000) * scale, null];
    case 'storage_gb': return [rng.int(5, 800), null];
    case 'active_users': return [1, rng.pick(ACTIVE_USER_KEYS)];
    case 'sms_sent': return [rng.int(200, 5000), null];
    case 'kwh': return [rng.int(15, 120) * scale, null];
    case 'transaction_volume': {
      const [lo, hi] = VOLUME_MAJOR[currency];
      return [toMinor(currency, rng.int(lo, hi)), null];
    }
    default: throw new Error(`no usage generator for metric ${metric}`);
  }
}

/** 3–8 events (at least one per metric) with occurred_at in [fromDay, toDay). */
function addUsage(ctx: GenContext, facts: CustomerFacts, metrics: readonly string[], fromDay: number, toDay: number, scale: number): void {
  const rng = facts.rng;
  const count = Math.max(rng.int(3, 8), metrics.length);
  const span = Math.max(1, toDay - fromDay);
  for (let k = 0; k < count; k++) {
    const metric = k < metrics.length ? (metrics[k] as string) : rng.pick(metrics);
    const [value, uniqueKey] = usageValue(metric, rng, facts.currency, scale);
    const at = ctx.days.timestamp(fromDay + rng.int(0, span - 1), rng.int(0, 86_399));
    ctx.rows.usage_events.push([nextId(ctx, 'usage_events'), facts.id, metric, at, value, uniqueKey, `evt_${ctx.periodCompact}_${k + 1}`]);
  }
}

function addCoupon(ctx: GenContext, facts: CustomerFacts): void {
  const rng = facts.rng;
  // Welcome coupons run 3 periods from their first period: some began earlier and have ended.
  const welcome = facts.currency === 'KWD' || rng.chance(0.6);
  const couponId = welcome ? 'WELCOME20' : `LOYALTY_${facts.currency}`;
  const monthsAgo = welcome ? rng.int(0, 4) : rng.int(0, 12);
  // applied_from is the first window start the coupon discounts.
  const from = clampedDay(addMonthsToPeriod(ctx.period, -monthsAgo), facts.anchorDay);
  ctx.rows.customer_coupons.push([facts.id, couponId, ctx.days.format(from)]);
}

function otherPlan(rng: Rng, planId: string): SeedPlan {
  for (;;) {
    const id = SAAS_PLANS.pick(rng);
    if (id !== planId) return planById(id);
  }
}

/** Returns the expected invoice lines. */
export function generateSaas(ctx: GenContext, facts: CustomerFacts): number {
  const rng = facts.rng;
  const w = windowFor(ctx, facts.anchorDay);
  const len = w.endDay - w.startDay;
  const kwd = facts.currency === 'KWD'; // only the Scale plan has KWD prices
  let scenario = SAAS_SCENARIOS.pick(rng);
  if (kwd && (scenario === 'changed' || scenario === 'trial')) scenario = 'steady';
  const plan = planById(scenario === 'trial' ? 'saas_growth' : kwd ? 'saas_scale' : SAAS_PLANS.pick(rng));
  const longAgo = w.startDay - rng.int(20, 720);
  const plans = [plan];
  let lines = 0;
  let from = w.startDay;
  let to = w.endDay;
  if (scenario === 'steady') {
    lines += addSubscription(ctx, facts, { plan, startDay: longAgo, trialEndDay: trialEnd(plan, longAgo), endDay: null, previousId: null })[1];
  } else if (scenario === 'started' || scenario === 'trial') {
    from = scenario === 'started' ? w.startDay + rng.int(1, len - 3) : w.startDay + rng.int(-12, len - 3);
    lines += addSubscription(ctx, facts, { plan, startDay: from, trialEndDay: trialEnd(plan, from), endDay: null, previousId: null })[1];
    from = Math.max(from, w.startDay);
  } else if (scenario === 'canceled') {
    to = w.startDay + rng.int(1, len - 2);
    lines += addSubscription(ctx, facts, { plan, startDay: longAgo, trialEndDay: trialEnd(plan, longAgo), endDay: to, previousId: null })[1];
  } else {
    const next = otherPlan(rng, plan.id);
    const changeDay = w.startDay + rng.int(2, len - 3);
    const [oldId, oldLines] = addSubscription(ctx, facts, { plan, startDay: longAgo, trialEndDay: trialEnd(plan, longAgo), endDay: changeDay, previousId: null, billsUsage: false });
    lines += oldLines + addSubscription(ctx, facts, { plan: next, startDay: changeDay, trialEndDay: null, endDay: null, previousId: oldId })[1];
    plans.push(next);
  }
  const metrics = [...new Set(plans.flatMap(planMetrics))];
  addUsage(ctx, facts, metrics, from, to, API_SCALE[plans[plans.length - 1]?.id ?? ''] ?? 1);
  if (rng.chance(COUPON_SHARE)) addCoupon(ctx, facts);
  if (rng.chance(scenario === 'started' ? 0.4 : 0.02)) {
    const item = SERVICE_ITEMS.onboarding;
    const price = toMinor(facts.currency, item.prices[facts.currency]);
    addOneOff(ctx, facts, { kind: 'charge', productId: item.productId, productName: item.name, quantity: 1, unitPriceMinor: price, day: from, paymentId: null });
    lines++;
  }
  return lines;
}

type UtilityScenario = 'steady' | 'moved_in' | 'moved_out';
const UTILITY_SCENARIOS = new WeightedTable<UtilityScenario>([['steady', 92], ['moved_in', 5], ['moved_out', 3]]);

export function generateUtility(ctx: GenContext, facts: CustomerFacts, business: boolean): number {
  const rng = facts.rng;
  const w = windowFor(ctx, facts.anchorDay);
  const len = w.endDay - w.startDay;
  const plan = planById(business ? 'utility_business' : 'utility_home');
  const scenario = UTILITY_SCENARIOS.pick(rng);
  let from = w.startDay;
  let to = w.endDay;
  let startDay = w.startDay - rng.int(60, 3000);
  if (scenario === 'moved_in') startDay = from = w.startDay + rng.int(1, len - 3);
  if (scenario === 'moved_out') to = w.startDay + rng.int(3, len - 2);
  const [, lines] = addSubscription(ctx, facts, { plan, startDay, trialEndDay: null, endDay: scenario === 'moved_out' ? to : null, previousId: null });
  addUsage(ctx, facts, planMetrics(plan), from, to, business ? 10 : 1);
  return lines;
}
