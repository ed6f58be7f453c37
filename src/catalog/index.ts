/**
 * Catalog writes and reads: products, billable metrics, plans (charges × currency prices) and
 * coupons. The pricing of a charge (charge-models.ts), taxes and discounts are separate files
 * of this folder with their own owners.
 */
export { createProduct, createMetric } from './products.ts';
export type { Product, Metric } from './products.ts';
export { createPlan, getPlan, listPlans } from './plans.ts';
export type { Plan, PlanCharge, PlanPage } from './plans.ts';
export { createCoupon, applyCoupon, getCoupon, listCoupons } from './coupons.ts';
export { getProduct, listProducts, getMetric, listMetrics } from './product-queries.ts';
export type { Coupon, AppliedCoupon } from './coupons.ts';
export {
  createProductSchema,
  createMetricSchema,
  metricAggregationSchema,
  planChargeSchema,
  createPlanSchema,
  listPlansSchema,
  createCouponSchema,
  applyCouponSchema,
} from './schemas.ts';
export type {
  CreateProductInput,
  CreateMetricInput,
  PlanChargeInput,
  CreatePlanInput,
  ListPlansInput,
  CreateCouponInput,
  ApplyCouponInput,
} from './schemas.ts';
export {
  CHARGE_MODELS,
  chargePropertiesSchemas,
  tierSchema,
  tiersSchema,
  unitAmountSchema,
  flatPropertiesSchema,
  perUnitPropertiesSchema,
  graduatedPropertiesSchema,
  volumePropertiesSchema,
  packagePropertiesSchema,
  percentagePropertiesSchema,
} from './prices.ts';
export type { ChargeModel } from './prices.ts';
// Pure pricing, tax and discount functions (their own files and owners), for other folders.
export * from './charge-models.ts';
export * from './taxes.ts';
export * from './discounts.ts';
