/**
 * Plans: a plan is a list of charges, each priced per currency (plan_charges +
 * plan_charge_prices). createPlan validates the whole plan (every tier table, every currency),
 * checks that its products and metrics exist and that no charge id is taken, then writes the
 * plan, its charges and prices in one transaction.
 */
import type pg from 'pg';
import type { ChargeProperties } from '../billing/types.ts';
import type { ErrorDetail } from '../errors.ts';
import { conflict, inTransaction, notFound, parseInput, run, textIdSchema, translateConstraint, type Deps } from '../customers/index.ts';
import { metricSql, planSql, productSql, type ChargeRow, type PriceRow } from './catalog-sql.ts';
import { toChargeProperties, type ChargeModel } from './prices.ts';
import { createPlanSchema, listPlansSchema, type CreatePlanInput, type ListPlansInput } from './schemas.ts';

export interface PlanCharge {
  id: string;
  productId: string;
  metricCode: string | null;
  chargeModel: ChargeModel;
  position: number;
  /** Keyed by currency code. */
  prices: Record<string, ChargeProperties>;
}

export interface Plan {
  id: string;
  name: string;
  interval: 'month';
  trialDays: number;
  charges: PlanCharge[];
}

export interface PlanPage {
  plans: Plan[];
  nextAfter: string | null;
}

type ParsedPlan = ReturnType<typeof createPlanSchema.parse>;

/** Every product and metric a charge names must exist; each missing one is named. */
async function checkReferences(client: pg.PoolClient, plan: ParsedPlan): Promise<void> {
  const productIds = [...new Set(plan.charges.map((c) => c.productId))];
  const metricCodes = [...new Set(plan.charges.flatMap((c) => (c.metricCode == null ? [] : [c.metricCode])))];
  const products = new Set((await run<{ id: string }>(client, productSql.existing(productIds))).rows.map((r) => r.id));
  const metrics = new Set((await run<{ code: string }>(client, metricSql.existing(metricCodes))).rows.map((r) => r.code));
  const missingProducts: ErrorDetail[] = [];
  const missingMetrics: ErrorDetail[] = [];
  plan.charges.forEach((c, i) => {
    if (!products.has(c.productId)) missingProducts.push({ field: `charges[${i}].productId`, message: `no product '${c.productId}'` });
    if (c.metricCode != null && !metrics.has(c.metricCode)) {
      missingMetrics.push({ field: `charges[${i}].metricCode`, message: `no billable metric '${c.metricCode}'` });
    }
  });
  if (missingProducts.length > 0) throw notFound('product', missingProducts);
  if (missingMetrics.length > 0) throw notFound('metric', missingMetrics);
  const taken = new Set((await run<{ id: string }>(client, planSql.existingCharges(plan.charges.map((c) => c.id)))).rows.map((r) => r.id));
  const index = plan.charges.findIndex((c) => taken.has(c.id));
  if (index >= 0) throw conflict(`charges[${index}].id`, `a charge with id '${plan.charges[index]!.id}' already exists`);
}

function chargeRows(plan: ParsedPlan): { charges: ChargeRow[]; prices: PriceRow[] } {
  const charges: ChargeRow[] = [];
  const prices: PriceRow[] = [];
  plan.charges.forEach((c, position) => {
    charges.push({
      id: c.id, plan_id: plan.id, product_id: c.productId, metric_code: c.metricCode ?? null, charge_model: c.chargeModel, position,
    });
    for (const [currency, properties] of Object.entries(c.prices)) {
      prices.push({ charge_id: c.id, currency, properties: toChargeProperties(c.chargeModel, properties) });
    }
  });
  return { charges, prices };
}

export async function createPlan(deps: Deps, input: CreatePlanInput): Promise<Plan> {
  const plan = parseInput(createPlanSchema, input);
  const rows = chargeRows(plan);
  await inTransaction(
    deps.db,
    async (client) => {
      await run(client, planSql.insertPlan(plan.id, plan.name, plan.trialDays));
      await checkReferences(client, plan);
      if (rows.charges.length > 0) await run(client, planSql.insertCharges(rows.charges));
      if (rows.prices.length > 0) await run(client, planSql.insertPrices(rows.prices));
    },
    translateConstraint({
      plans_pkey: () => conflict('id', `a plan with id '${plan.id}' already exists`),
      plan_charges_pkey: () => conflict('charges', 'a charge id was taken by a concurrent write'),
    }),
  );
  return getPlan(deps.db, plan.id);
}

interface PlanRow {
  id: string;
  name: string;
  interval: 'month';
  trial_days: number;
}

interface ChargeWithPricesRow {
  plan_id: string;
  id: string;
  product_id: string;
  metric_code: string | null;
  charge_model: ChargeModel;
  position: number;
  prices: Record<string, ChargeProperties>;
}

async function withCharges(db: pg.Pool, planRows: readonly PlanRow[]): Promise<Plan[]> {
  if (planRows.length === 0) return [];
  const charges = (await run<ChargeWithPricesRow>(db, planSql.chargesOf(planRows.map((p) => p.id)))).rows;
  return planRows.map((p) => ({
    id: p.id,
    name: p.name,
    interval: p.interval,
    trialDays: p.trial_days,
    charges: charges
      .filter((c) => c.plan_id === p.id)
      .map((c) => ({
        id: c.id, productId: c.product_id, metricCode: c.metric_code, chargeModel: c.charge_model, position: c.position, prices: c.prices,
      })),
  }));
}

export async function getPlan(db: pg.Pool, planId: string): Promise<Plan> {
  const id = parseInput(textIdSchema, planId, ['planId']);
  const rows = (await run<PlanRow>(db, planSql.byId(id))).rows;
  const [plan] = await withCharges(db, rows);
  if (plan === undefined) throw notFound('plan', [{ field: 'planId', message: `no plan '${id}'` }]);
  return plan;
}

export async function listPlans(db: pg.Pool, input: ListPlansInput = {}): Promise<PlanPage> {
  const { limit, after } = parseInput(listPlansSchema, input);
  const rows = (await run<PlanRow>(db, planSql.page(limit, after ?? null))).rows;
  const plans = await withCharges(db, rows);
  const last = plans[plans.length - 1];
  return { plans, nextAfter: plans.length === limit && last !== undefined ? last.id : null };
}
