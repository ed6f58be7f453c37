/**
 * Catalog input schemas (products, metrics, plans with their charges and prices, coupons),
 * exported for the HTTP API's validation and OpenAPI documents.
 */
import { z } from 'zod';
import {
  amountMinorSchema,
  currencyCodeSchema,
  isoDateSchema,
  makeNameSchema,
  pageLimitSchema,
  percentStringSchema,
  recordIdSchema,
  textIdSchema,
} from '../customers/index.ts';
import { CHARGE_MODELS, chargePropertiesSchemas, type ChargeModel } from './prices.ts';

const MAX_CHARGES_PER_PLAN = 50;
const MAX_CURRENCIES_PER_CHARGE = 200;
const MAX_TRIAL_DAYS = 3650;

export const createProductSchema = z.strictObject({
  id: textIdSchema,
  name: makeNameSchema(200),
  taxExempt: z.boolean().default(false),
});
export type CreateProductInput = z.input<typeof createProductSchema>;

export const metricAggregationSchema = z.enum(['sum', 'max', 'unique_count']);

export const createMetricSchema = z.strictObject({
  code: textIdSchema,
  name: makeNameSchema(200),
  aggregation: metricAggregationSchema,
  unit: makeNameSchema(50).default('unit'),
});
export type CreateMetricInput = z.input<typeof createMetricSchema>;

function chargeSchemaFor<M extends ChargeModel>(model: M) {
  return z.strictObject({
    id: textIdSchema,
    productId: textIdSchema,
    /** Null or absent: a fixed recurring charge, prorated by active days. */
    metricCode: textIdSchema.nullable().optional(),
    chargeModel: z.literal(model),
    prices: z
      .record(currencyCodeSchema, chargePropertiesSchemas[model])
      .refine((prices) => Object.keys(prices).length >= 1, { error: 'at least one currency' })
      .refine((prices) => Object.keys(prices).length <= MAX_CURRENCIES_PER_CHARGE, {
        error: `at most ${MAX_CURRENCIES_PER_CHARGE} currencies`,
      }),
  });
}

export const planChargeSchema = z.discriminatedUnion(
  'chargeModel',
  [
    chargeSchemaFor('flat'),
    chargeSchemaFor('per_unit'),
    chargeSchemaFor('graduated'),
    chargeSchemaFor('volume'),
    chargeSchemaFor('package'),
    chargeSchemaFor('percentage'),
  ],
  { error: `expected one of ${CHARGE_MODELS.join(', ')}` },
);
export type PlanChargeInput = z.input<typeof planChargeSchema>;

export const createPlanSchema = z
  .strictObject({
    id: textIdSchema,
    name: makeNameSchema(200),
    trialDays: z.int().min(0, { error: 'must be ≥ 0' }).max(MAX_TRIAL_DAYS, { error: `at most ${MAX_TRIAL_DAYS}` }).default(0),
    charges: z.array(planChargeSchema).max(MAX_CHARGES_PER_PLAN, { error: `at most ${MAX_CHARGES_PER_PLAN} charges` }),
  })
  .superRefine((plan, ctx) => {
    const seen = new Map<string, number>();
    plan.charges.forEach((charge, i) => {
      const first = seen.get(charge.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['charges', i, 'id'], message: `same id as charges[${first}]` });
      } else seen.set(charge.id, i);
      // A percentage of nothing: the metered value (e.g. payment volume) is what it takes a share of.
      if (charge.chargeModel === 'percentage' && (charge.metricCode ?? null) === null) {
        ctx.addIssue({ code: 'custom', path: ['charges', i, 'metricCode'], message: 'required for a percentage charge' });
      }
    });
  });
export type CreatePlanInput = z.input<typeof createPlanSchema>;

export const listPlansSchema = z.strictObject({
  limit: pageLimitSchema,
  /** Cursor: the last plan id of the previous page. */
  after: textIdSchema.optional(),
});
export type ListPlansInput = z.input<typeof listPlansSchema>;

const couponBase = {
  id: textIdSchema,
  name: makeNameSchema(200),
  /** Billing periods it discounts from appliedFrom; null or absent = forever. */
  durationPeriods: z.int().min(1, { error: 'must be ≥ 1' }).max(1200).nullable().optional(),
};

export const createCouponSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      ...couponBase,
      kind: z.literal('percentage'),
      percent: percentStringSchema.refine((s) => Number(s) > 0, { error: 'must be greater than 0' }),
    }),
    z.strictObject({
      ...couponBase,
      kind: z.literal('fixed'),
      amountMinor: amountMinorSchema.min(1, { error: 'must be ≥ 1' }),
      currency: currencyCodeSchema,
    }),
  ],
  { error: "expected 'percentage' or 'fixed'" },
);
export type CreateCouponInput = z.input<typeof createCouponSchema>;

export const applyCouponSchema = z.strictObject({
  customerId: recordIdSchema,
  couponId: textIdSchema,
  /** First billing period start it discounts. */
  appliedFrom: isoDateSchema,
});
export type ApplyCouponInput = z.input<typeof applyCouponSchema>;
