/**
 * Response shapes, for the OpenAPI document (requests are validated with the domain's own
 * schemas; these describe what the library returns). The tests check real responses against
 * some of them, so they cannot silently drift.
 */
import { z } from 'zod';

const id = z.int().min(1);
const date = z.iso.date();
const timestamp = z.iso.datetime({ offset: true });
const minor = z.int().describe('integer minor units of the currency (paise, cents)');
const currency = z.string().regex(/^[A-Z]{3}$/);

export const errorSchema = z
  .object({
    code: z.string().describe('stable machine-readable code, e.g. invalid_input, customer_not_found, conflict'),
    message: z.string(),
    details: z.array(z.object({ field: z.string().describe("the offending field, e.g. 'items[0].quantity'"), message: z.string() })),
  })
  .meta({ id: 'Error' });

export const customerSchema = z
  .object({
    id, externalId: z.string().nullable(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(),
    whatsapp: z.string().nullable(), currency, country: z.string(), taxRegion: z.string().nullable(), locale: z.string(),
    legalEntityId: z.string(), status: z.enum(['active', 'suspended', 'closed']), billingAnchorDay: z.int(),
    segment: z.string().nullable(),
    collectionMethod: z.enum(['charge_automatically', 'send_invoice'])
      .describe('charge_automatically: the collector charges the payment provider; send_invoice: the customer pays by transfer (repayments), never charged'),
    metadata: z.record(z.string(), z.unknown()).nullable(), createdAt: timestamp,
  })
  .meta({ id: 'Customer' });

export const customerPageSchema = z.object({ customers: z.array(customerSchema), nextAfter: id.nullable() });

export const productSchema = z.object({ id: z.string(), name: z.string(), taxExempt: z.boolean() }).meta({ id: 'Product' });
export const metricSchema = z
  .object({ code: z.string(), name: z.string(), aggregation: z.enum(['sum', 'max', 'unique_count']), unit: z.string() })
  .meta({ id: 'Metric' });

export const planSchema = z
  .object({
    id: z.string(), name: z.string(), interval: z.literal('month'), trialDays: z.int(),
    charges: z.array(z.object({
      id: z.string(), productId: z.string(), metricCode: z.string().nullable(), chargeModel: z.string(), position: z.int(),
      prices: z.record(z.string(), z.record(z.string(), z.unknown())).describe('price properties by currency, in minor units'),
    })),
  })
  .meta({ id: 'Plan' });

export const priceSchema = z
  .object({ planId: z.string(), chargeId: z.string(), productId: z.string(), chargeModel: z.string(), currency, properties: z.record(z.string(), z.unknown()) })
  .meta({ id: 'Price' });

export const subscriptionSchema = z
  .object({
    id, customerId: id, planId: z.string(), startedOn: date, trialEndsOn: date.nullable().describe('first paid day'),
    endedOn: date.nullable().describe('exclusive end'), previousId: id.nullable(), createdAt: timestamp,
  })
  .meta({ id: 'Subscription' });

export const loanSchema = z
  .object({
    id, customerId: id, currency, principalMinor: minor, annualRate: z.string(), tenureMonths: z.int(), firstDueOn: date,
    emiMinor: minor, lateFeeMinor: minor, paidInstallments: z.int(), status: z.enum(['active', 'closed', 'written_off']), createdAt: timestamp,
  })
  .meta({ id: 'Loan' });

export const installmentSchema = z
  .object({ seq: z.int(), dueOn: date, openingMinor: minor, principalMinor: minor, interestMinor: minor, emiMinor: minor, closingMinor: minor })
  .meta({ id: 'Installment' });

export const oneOffChargeSchema = z
  .object({
    id, customerId: id, kind: z.enum(['charge', 'refund']), productId: z.string(), productName: z.string(), quantity: z.int(),
    unitPriceMinor: minor, currency, chargedOn: date, originalPaymentId: id.nullable(), createdAt: timestamp,
  })
  .meta({ id: 'OneOffCharge' });

const paymentStatus = z.enum(['pending', 'paid', 'failed', 'unknown', 'not_required']);

export const invoiceSchema = z
  .object({
    id, number: z.string(), customerId: id, period: z.string(), source: z.string(), runId: id.nullable(), legalEntityId: z.string(),
    status: z.enum(['issued', 'void']), paymentStatus, currency, subtotalMinor: minor, discountMinor: minor, taxMinor: minor,
    totalMinor: minor, creditedMinor: minor.describe('taken off by credit notes so far'),
    creditAppliedMinor: minor.describe('customer credit used against it so far'),
    amountDueMinor: minor.describe('what the customer still owes: total − credited − credit applied while unpaid, 0 once paid or not required'),
    taxBreakdown: z.array(z.object({ name: z.string(), ratePercent: z.string(), amountMinor: minor })),
    issueDate: date, dueDate: date, periodStart: date, periodEnd: date.describe('exclusive'), createdAt: timestamp,
  })
  .meta({ id: 'Invoice' });

const taxParts = z.array(z.object({ name: z.string(), ratePercent: z.string(), amountMinor: minor }));

export const creditNoteSchema = z
  .object({
    id, number: z.string().describe('its own gapless series per legal entity and year: BFIN-CN-2026-000001'), invoiceId: id,
    invoiceNumber: z.string(), customerId: id, currency, mode: z.enum(['full', 'amount', 'lines']), reason: z.string(),
    subtotalMinor: minor.describe('net amount credited (before discount)'), discountMinor: minor, taxMinor: minor.describe('tax reversed'),
    totalMinor: minor.describe('total credited (> 0)'), taxBreakdown: taxParts,
    receivableMinor: minor.describe('taken off what the customer owed on the invoice (its amount due falls by this)'),
    customerCreditMinor: minor.describe('owed back to the customer as credit (the invoice was paid)'),
    issueDate: date, createdAt: timestamp,
    lines: z.array(z.object({
      lineNo: z.int(), invoiceLineNo: z.int().nullable().describe('the invoice line credited; null for an amount credit'), description: z.string(),
      quantity: z.int(), unitAmountMinor: minor, amountMinor: minor, discountMinor: minor, taxMinor: minor, totalMinor: minor, taxBreakdown: taxParts.nullable(),
    })),
    invoice: z.object({ totalMinor: minor, creditedMinor: minor, creditAppliedMinor: minor, amountDueMinor: minor, paymentStatus }).describe('the invoice as it is now'),
    pdf: z.object({ path: z.string(), sizeBytes: z.int(), sha256: z.string(), pages: z.int(), renderedAt: timestamp }).nullable()
      .describe('the stored PDF; null until a worker has rendered it'),
  })
  .meta({ id: 'CreditNote' });

export const invoiceLineSchema = z
  .object({
    lineNo: z.int(), kind: z.string(), description: z.string(), productId: z.string().nullable(), quantity: z.int(),
    unitAmountMinor: minor, amountMinor: minor, discountMinor: minor, taxMinor: minor, totalMinor: minor,
    taxBreakdown: z.array(z.record(z.string(), z.unknown())).nullable(), serviceStart: date.nullable(), serviceEnd: date.nullable(),
    loanId: z.int().nullable().describe('EMI and late-fee lines: the loan they bill'),
    installmentSeq: z.int().nullable().describe('EMI and late-fee lines: the installment (1 = the first EMI)'),
  })
  .meta({ id: 'InvoiceLine' });

export const paymentAttemptsSchema = z
  .object({
    invoiceId: id, number: z.string(), paymentStatus,
    attempts: z.array(z.object({
      attemptNo: z.int(), attemptedAt: timestamp, finishedAt: timestamp.nullable(), outcome: z.string(),
      failureCode: z.string().nullable(), failureMessage: z.string().nullable(),
      idempotencyKey: z.string(), provider: z.string(), providerRef: z.string().nullable(), amountMinor: z.int(), currency: z.string(),
      trigger: z.enum(['collect', 'run', 'dunning', 'requeue']), janitorChecks: z.int().describe('times the provider was asked about an unknown outcome'),
      nextCheckAt: timestamp.nullable(), resolvedBy: z.enum(['response', 'janitor']).nullable(),
    })).describe('every payment attempt, oldest first (empty until the invoice is collected)'),
    requeues: z.array(z.object({ requestedAt: timestamp, consumedAt: timestamp.nullable() })),
  })
  .meta({ id: 'PaymentAttempts' });

export const requeueSchema = z
  .object({
    invoiceId: id, number: z.string(), paymentStatus, requeued: z.boolean().describe('false: it was already queued by an earlier requeue'),
    requestedAt: timestamp,
  })
  .meta({ id: 'Requeue' });

export const runSchema = z
  .object({
    runId: id, period: z.string(), status: z.enum(['running', 'completed', 'completed_with_errors', 'canceled']),
    shards: z.object({ total: z.int(), done: z.int(), running: z.int(), retrying: z.int(), pending: z.int(), parked: z.int(), canceled: z.int() }),
    customers: z.int(), customersDone: z.int(), invoices: z.int(), skipped: z.int(), alreadyInvoiced: z.int(), quarantined: z.int(), lines: z.int(),
    stages: z.array(z.object({
      stage: z.string(), shardsReached: z.int().describe('shards whose last stage reached is this one'),
      totalMs: z.int(), maxMs: z.int(), avgMs: z.int(), shardsTimed: z.int(),
    })).describe('per-stage counts and timings from billing_shards.stage_ms'),
    errors: z.array(z.object({ shardNo: z.int(), status: z.string(), stage: z.string().nullable(), attempts: z.int(), lastError: z.string() })),
    createdAt: timestamp, finishedAt: timestamp.nullable(),
  })
  .meta({ id: 'BillingRun' });
