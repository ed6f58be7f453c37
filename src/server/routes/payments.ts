/** Repayments (money customers send) and customer balances from the ledger. */
import { z } from 'zod';
import { recordIdSchema } from '../../customers/index.ts';
import { getBalance } from '../../ledger/index.ts';
import { applyCreditNow, createProvider } from '../../payments/index.ts';
import { ingestRepayment, refundRepaymentExcess, repaymentSchema, type RepaymentResult } from '../../repayments/index.ts';
import { defineRoute, type ServerDeps } from '../route.ts';

const tag = 'Payments';

const repaymentResultSchema = z.object({
  repaymentId: z.int(), status: z.enum(['accepted', 'duplicate']), duplicateOf: z.int().nullable(),
  reason: z.string().nullable().describe('same_external_ref | same_amount_channel_in_window'),
  appliedMinor: z.int(), excessMinor: z.int(), paidInvoiceIds: z.array(z.int()),
  creditAppliedMinor: z.int().describe("customer credit (this excess and any held before) then applied to the customer's open invoices, oldest first"),
  creditPaidInvoiceIds: z.array(z.int()).describe('invoices that credit paid in full'),
  refundableMinor: z.int().describe('what of this excess the customer still holds as credit afterwards (refunded when payments.repayments.refundExcess is on)'),
  refund: z.object({
    intentId: z.int().nullable().describe('null when not_refunded'),
    status: z.string().describe("intent | posted | compensated; not_refunded when the credit was used meanwhile (by a collector or apply-credit) before the refund could start"),
    providerRef: z.string().nullable(), failure: z.string().nullable(),
  }).nullable(),
}).meta({ id: 'RepaymentResult' });

const creditApplicationSchema = z.object({
  customerId: z.int(), currency: z.string(), appliedMinor: z.int().describe('credit applied now (0: no credit, or nothing open to apply it to)'),
  creditLeftMinor: z.int().describe('credit the customer still holds in the currency'),
  applications: z.array(z.object({
    id: z.int().describe('the credit_applications row (its ledger entry: credit_applied)'), invoiceId: z.int(), amountMinor: z.int(),
    amountDueMinor: z.int().describe("the invoice's amount due afterwards"),
  })).describe('oldest invoice first'),
  paidInvoiceIds: z.array(z.int()).describe('invoices credit paid in full (now paid)'),
}).meta({ id: 'CreditApplication' });

async function ingest(deps: ServerDeps, body: z.output<typeof repaymentSchema>): Promise<RepaymentResult & { refund: unknown }> {
  const settings = deps.config.payments;
  const r = await ingestRepayment({ pool: deps.pool, settings: settings.repayments }, body);
  if (!settings.repayments.refundExcess || r.status !== 'accepted' || r.refundableMinor === 0) return { ...r, refund: null };
  const provider = createProvider(deps.pool, settings);
  try {
    const refund = await refundRepaymentExcess({ pool: deps.pool, provider }, { repaymentId: r.repaymentId, customerId: body.customerId, currency: body.currency, amountMinor: r.refundableMinor });
    return { ...r, refund };
  } finally {
    await provider.close();
  }
}

export const paymentRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/repayments', scope: 'write', tag, operationId: 'createRepayment',
    summary: 'Record money a customer sent; duplicates are recorded and change nothing',
    description: 'Duplicate: the same externalRef, or (when a reference is missing) the same amount and channel received within ' +
      'payments.repayments.duplicateWindowMs. Open invoices are paid in full oldest first; the rest becomes customer credit ' +
      '(refunded through the provider when payments.repayments.refundExcess is on). 201 accepted, 200 duplicate.',
    body: repaymentSchema, status: 201, errors: [404, 422],
    alsoResponds: { 200: { description: 'A duplicate: recorded, nothing applied', schema: repaymentResultSchema } },
    example: { customerId: 1, amountMinor: 1216700, currency: 'INR', channel: 'upi', externalRef: 'UTR412233', receivedAt: '2026-12-05T10:15:00+05:30' },
    response: { description: 'The repayment and where its money went', schema: repaymentResultSchema },
    async handler(deps, { body }, _request, reply) {
      const result = await ingest(deps, body);
      if (result.status === 'duplicate') void reply.code(200);
      return result;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/customers/:customerId/balance', scope: 'read', tag, operationId: 'getCustomerBalance',
    summary: "A customer's ledger balances: what they owe (receivable) and their credit, per currency",
    params: z.strictObject({ customerId: recordIdSchema }), query: z.strictObject({ currency: z.string().regex(/^[A-Z]{3}$/) }), status: 200,
    response: { description: 'The balance', schema: z.object({ customerId: z.int(), currency: z.string(), receivableMinor: z.int(), creditMinor: z.int(), version: z.int() }) },
    handler: async (deps, { params, query }) => ({ customerId: params.customerId, currency: query.currency, ...(await getBalance(deps.pool, params.customerId, query.currency)) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/customers/:customerId/apply-credit', scope: 'write', tag, operationId: 'applyCustomerCredit',
    summary: "Apply a customer's credit to their open invoices now",
    description: 'Oldest open invoice first (pending or failed, nothing being charged), whole invoices then part of the next; an invoice ' +
      'paid in full becomes paid. Collection does the same before every charge; this is for applying it without waiting.',
    params: z.strictObject({ customerId: recordIdSchema }),
    query: z.strictObject({ currency: z.string().regex(/^[A-Z]{3}$/).optional().describe("default: the customer's billing currency") }),
    status: 200, errors: [404],
    response: { description: 'What was applied', schema: creditApplicationSchema },
    handler: async (deps, { params, query }) => applyCreditNow({ pool: deps.pool, clock: deps.clock ?? { now: () => new Date() } }, { customerId: params.customerId, currency: query.currency, trigger: 'api' }),
  }),
];
