/**
 * The two endpoints of the Node invoice gateway Billflow replaces, accepting its request bodies
 * as they are: POST /api/v1/user/register and POST /api/v1/bill/genBill.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { genBillItemsSchema, itemsFromGenBill } from '../../charges/index.ts';
import { findCustomerByEmailOrId, notFound, registerUser, registerUserSchema, todayOf } from '../../customers/index.ts';
import { exponentOf } from '../../money/currencies.ts';
import { minorToDecimalString } from '../../money/format.ts';
import { createAdHocInvoiceBatcher } from '../../billing/index.ts';
import { idempotencyKeyOf } from '../idempotency.ts';
import { defineRoute } from '../route.ts';
import { libraryDeps } from './common.ts';

const registerResponse = z.object({
  id: z.int().describe('the customer id (also accepted as genBill userId)'),
  userId: z.int(),
  name: z.string(),
  email: z.string(),
  mobile: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
});

export const genBillSchema = z.strictObject({
  userId: z.union([z.string().trim().min(1).max(254), z.int().min(1)], { error: 'expected an e-mail or a customer id' }),
  items: genBillItemsSchema,
});

const decimal = z.string().describe('major units as an exact decimal string, e.g. "1060.82"');
const genBillResponse = z.object({
  id: z.int(), number: z.string(), customerId: z.int(), period: z.string(), currency: z.string(),
  subtotal: decimal, discount: decimal, tax: decimal, total: decimal,
  subtotalMinor: z.int(), discountMinor: z.int(), taxMinor: z.int(), totalMinor: z.int(),
  status: z.string(), paymentStatus: z.string(), issueDate: z.iso.date(), dueDate: z.iso.date(),
  created: z.boolean().describe('false: this request was already billed (same Idempotency-Key) and this is that invoice'),
});

export const gatewayRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/user/register', scope: 'write', tag: 'Compatible', operationId: 'registerUser',
    summary: 'Register a customer (the gateway shape)',
    description:
      'Creates a customer named "firstname middlename lastname" with the e-mail (unique: 409) and mobile. ' +
      'Currency, country, tax region, legal entity and locale come from the api.registerDefaults setting ' +
      '(default INR, IN, IN-MH, legal entity "in", en). dob, if given, is kept in metadata.',
    body: registerUserSchema, status: 201, errors: [409],
    example: { firstname: 'John', middlename: '', lastname: 'Doe', email: 'john.doe@example.com', mobile: '0123456789' },
    response: { description: 'The new customer and its id', schema: registerResponse },
    async handler(deps, { body }) {
      const customer = await registerUser(libraryDeps(deps), body, deps.config.api.registerDefaults);
      return { id: customer.id, userId: customer.id, name: customer.name, email: customer.email, mobile: customer.phone, createdAt: customer.createdAt };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/bill/genBill', scope: 'write', tag: 'Compatible', operationId: 'genBill',
    summary: 'Generate a bill now (the gateway shape)',
    description:
      'Issues a real invoice at once for the items: numbered, taxed per the customer\'s region, persisted, announced ' +
      'in the outbox (later stages — PDF, delivery, payment — take it from there). userId is the customer\'s e-mail or id. ' +
      'price is in major units of the customer\'s currency (899 or "899.50"). With an Idempotency-Key, a repeat returns ' +
      'the same invoice; without one every call bills anew.',
    body: genBillSchema, status: 201, errors: [404, 409, 422],
    alsoResponds: { 200: { description: 'Already billed for this Idempotency-Key: the same invoice', schema: genBillResponse } },
    example: { userId: 'john.doe@example.com', items: [{ productId: 'AD234', quantity: 1, price: 899, productName: 'Premium T-Shirt' }] },
    response: { description: 'The invoice', schema: genBillResponse },
    async handler(deps, { body }, request, reply) {
      const customer = await findCustomerByEmailOrId(deps.pool, String(body.userId));
      if (customer === null) throw notFound('customer', [{ field: 'userId', message: `no customer with e-mail or id '${body.userId}'` }]);
      const items = itemsFromGenBill(body.items, customer.currency);
      const key = idempotencyKeyOf(request);
      // Scoped by API key like the Idempotency-Key itself: two clients' "key 1" are different bills.
      const source = key === null ? `api:${randomUUID()}` : `api:${request.apiKey?.id ?? 0}:${key}`;
      const batcher = deps.genBill ?? createAdHocInvoiceBatcher({ db: deps.pool, flushPool: null, netTermsDays: deps.config.billing.netTermsDays });
      // With a claimed Idempotency-Key, storing the response (a synchronous commit) makes the invoice durable.
      const invoice = await batcher.issue({ customerId: customer.id, items, source, issueDate: todayOf(deps.clock) }, { flushedLater: request.idempotency !== null });
      if (!invoice.created) void reply.code(200);
      const exponent = exponentOf(invoice.currency);
      const major = (minor: number) => minorToDecimalString(minor, exponent);
      return {
        id: invoice.id, number: invoice.number, customerId: invoice.customerId, period: invoice.period, currency: invoice.currency,
        subtotal: major(invoice.subtotalMinor), discount: major(invoice.discountMinor), tax: major(invoice.taxMinor), total: major(invoice.totalMinor),
        subtotalMinor: invoice.subtotalMinor, discountMinor: invoice.discountMinor, taxMinor: invoice.taxMinor, totalMinor: invoice.totalMinor,
        status: invoice.status, paymentStatus: invoice.paymentStatus, issueDate: invoice.issueDate, dueDate: invoice.dueDate, created: invoice.created,
      };
    },
  }),
];
