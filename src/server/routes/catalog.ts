/** Catalog: products, billable metrics, plans with their per-currency prices, coupons. */
import { z } from 'zod';
import {
  applyCoupon,
  applyCouponSchema,
  createCoupon,
  createCouponSchema,
  createMetric,
  createMetricSchema,
  createPlan,
  createPlanSchema,
  createProduct,
  createProductSchema,
  getCoupon,
  getMetric,
  getPlan,
  getProduct,
  listCoupons,
  listMetrics,
  listPlans,
  listProducts,
  listPlansSchema,
} from '../../catalog/index.ts';
import { defineRoute } from '../route.ts';
import { metricSchema, planSchema, priceSchema, productSchema } from '../schemas.ts';
import { idParams, libraryDeps, textIdParams, textPageQuery } from './common.ts';

const tag = 'Catalog';

const couponSchema = z.object({
  id: z.string(), name: z.string(), kind: z.enum(['percentage', 'fixed']), percent: z.string().nullable(),
  amountMinor: z.int().nullable(), currency: z.string().nullable(), durationPeriods: z.int().nullable(),
}).meta({ id: 'Coupon' });

export const catalogRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/products', scope: 'write', tag, operationId: 'createProduct', summary: 'Create a product',
    body: createProductSchema, status: 201, errors: [409], example: { id: 'AD234', name: 'Premium T-Shirt' },
    response: { description: 'The product', schema: productSchema },
    handler: (deps, { body }) => createProduct(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/products', scope: 'read', tag, operationId: 'listProducts', summary: 'List products by id, with a cursor',
    query: textPageQuery, status: 200,
    response: { description: 'A page of products', schema: z.object({ products: z.array(productSchema), nextAfter: z.string().nullable() }) },
    handler: (deps, { query }) => listProducts(deps.pool, query.limit, query.after),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/products/:productId', scope: 'read', tag, operationId: 'getProduct', summary: 'Get a product',
    params: textIdParams('productId'), status: 200, errors: [404],
    response: { description: 'The product', schema: productSchema },
    handler: (deps, { params }) => getProduct(deps.pool, params.productId),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/metrics', scope: 'write', tag, operationId: 'createMetric', summary: 'Create a billable metric',
    body: createMetricSchema, status: 201, errors: [409], example: { code: 'api_calls', name: 'API calls', aggregation: 'sum' },
    response: { description: 'The metric', schema: metricSchema },
    handler: (deps, { body }) => createMetric(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/metrics', scope: 'read', tag, operationId: 'listMetrics', summary: 'List billable metrics',
    query: textPageQuery, status: 200,
    response: { description: 'A page of metrics', schema: z.object({ metrics: z.array(metricSchema), nextAfter: z.string().nullable() }) },
    handler: (deps, { query }) => listMetrics(deps.pool, query.limit, query.after),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/metrics/:metricCode', scope: 'read', tag, operationId: 'getMetric', summary: 'Get a billable metric',
    params: textIdParams('metricCode'), status: 200, errors: [404],
    response: { description: 'The metric', schema: metricSchema },
    handler: (deps, { params }) => getMetric(deps.pool, params.metricCode),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/plans', scope: 'write', tag, operationId: 'createPlan',
    summary: 'Create a plan with its charges and per-currency prices (minor units)',
    description: 'Every product and metric named must exist (404 naming the charge); plan and charge ids are unique (409).',
    body: createPlanSchema, status: 201, errors: [404, 409],
    example: {
      id: 'pro', name: 'Pro', trialDays: 0,
      charges: [{ id: 'pro-base', productId: 'pro-seat', chargeModel: 'flat', prices: { INR: { amount: 99900 }, USD: { amount: 1900 } } }],
    },
    response: { description: 'The plan', schema: planSchema },
    handler: (deps, { body }) => createPlan(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/plans', scope: 'read', tag, operationId: 'listPlans', summary: 'List plans by id, with a cursor',
    query: listPlansSchema, status: 200,
    response: { description: 'A page of plans', schema: z.object({ plans: z.array(planSchema), nextAfter: z.string().nullable() }) },
    handler: (deps, { query }) => listPlans(deps.pool, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/plans/:planId', scope: 'read', tag, operationId: 'getPlan', summary: 'Get a plan',
    params: textIdParams('planId'), status: 200, errors: [404],
    response: { description: 'The plan', schema: planSchema },
    handler: (deps, { params }) => getPlan(deps.pool, params.planId),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/plans/:planId/prices', scope: 'read', tag, operationId: 'getPlanPrices',
    summary: "A plan's prices, one row per charge and currency", params: textIdParams('planId'), status: 200, errors: [404],
    response: { description: 'The prices', schema: z.object({ prices: z.array(priceSchema) }) },
    async handler(deps, { params }) {
      const plan = await getPlan(deps.pool, params.planId);
      const prices = plan.charges.flatMap((c) => Object.entries(c.prices).map(([currency, properties]) => ({
        planId: plan.id, chargeId: c.id, productId: c.productId, chargeModel: c.chargeModel, currency, properties,
      })));
      return { prices };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/coupons', scope: 'write', tag, operationId: 'createCoupon', summary: 'Create a coupon',
    body: createCouponSchema, status: 201, errors: [409], example: { id: 'WELCOME10', name: '10% off', kind: 'percentage', percent: '10', durationPeriods: 3 },
    response: { description: 'The coupon', schema: couponSchema },
    handler: (deps, { body }) => createCoupon(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/coupons', scope: 'read', tag, operationId: 'listCoupons', summary: 'List coupons by id, with a cursor',
    query: textPageQuery, status: 200,
    response: { description: 'A page of coupons', schema: z.object({ coupons: z.array(couponSchema), nextAfter: z.string().nullable() }) },
    handler: (deps, { query }) => listCoupons(deps.pool, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/coupons/:couponId', scope: 'read', tag, operationId: 'getCoupon', summary: 'Get a coupon',
    params: textIdParams('couponId'), status: 200, errors: [404],
    response: { description: 'The coupon', schema: couponSchema },
    handler: (deps, { params }) => getCoupon(deps.pool, params.couponId),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/customers/:customerId/coupons', scope: 'write', tag, operationId: 'applyCoupon',
    summary: 'Apply a coupon to a customer from a period start', params: idParams('customerId'),
    body: applyCouponSchema.omit({ customerId: true }), status: 201, errors: [404, 409], example: { couponId: 'WELCOME10', appliedFrom: '2026-11-01' },
    response: { description: 'Applied', schema: z.object({ customerId: z.int(), couponId: z.string(), appliedFrom: z.iso.date() }) },
    handler: (deps, { params, body }) => applyCoupon(libraryDeps(deps), { ...body, customerId: params.customerId }),
  }),
];
