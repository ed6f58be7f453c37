/** One-off charges (billed by the next cycle invoice) and refunds of a payment: create, list, get. */
import { z } from 'zod';
import {
  createOneOffCharges, createOneOffChargesSchema, createRefund, createRefundSchema, getCharge, listCharges, listChargesSchema,
} from '../../charges/index.ts';
import { defineRoute } from '../route.ts';
import { oneOffChargeSchema } from '../schemas.ts';
import { idParams, libraryDeps } from './common.ts';

const tag = 'Charges';

export const chargeRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/charges', scope: 'write', tag, operationId: 'createCharges',
    summary: 'Add one-off charges to a customer (billed by the next cycle invoice)',
    description: "price is the unit price in minor units of the customer's currency; chargedOn defaults to today. To bill at once, use genBill.",
    body: createOneOffChargesSchema, status: 201, errors: [404, 409],
    example: { customerId: 1, items: [{ productId: 'AD234', productName: 'Premium T-Shirt', quantity: 2, price: 89900 }] },
    response: {
      description: 'The charges',
      schema: z.object({ currency: z.string(), chargedOn: z.iso.date(), charges: z.array(oneOffChargeSchema) }),
    },
    handler: (deps, { body }) => createOneOffCharges(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/refunds', scope: 'write', tag, operationId: 'createRefund',
    summary: 'Refund part or all of a payment (a negative line on the next invoice)',
    description: 'The refund may not exceed what is left of the payment after earlier refunds (409).',
    body: createRefundSchema, status: 201, errors: [404, 409],
    example: { customerId: 1, originalPaymentId: 7, amountMinor: 20000, reason: 'Damaged item' },
    response: { description: 'The refund line', schema: oneOffChargeSchema },
    handler: (deps, { body }) => createRefund(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/charges', scope: 'read', tag, operationId: 'listCharges',
    summary: 'List one-off charges and refunds by id, with filters (customerId, kind) and a cursor',
    description: 'Pass the `nextAfter` of a page as `after` for the next one; null on the last page.',
    query: listChargesSchema, status: 200,
    response: { description: 'A page of charges', schema: z.object({ charges: z.array(oneOffChargeSchema), nextAfter: z.int().nullable() }) },
    handler: (deps, { query }) => listCharges(deps.pool, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/charges/:chargeId', scope: 'read', tag, operationId: 'getCharge', summary: 'Get a one-off charge or refund',
    params: idParams('chargeId'), status: 200, errors: [404],
    response: { description: 'The charge', schema: oneOffChargeSchema },
    handler: (deps, { params }) => getCharge(deps.pool, params.chargeId),
  }),
];
