/** Invoices: list with filters and a cursor, get, lines, PDF, payment attempts, requeue. */
import { z } from 'zod';
import { currencyCodeSchema, pageLimitSchema, recordIdSchema } from '../../customers/index.ts';
import { getStoredInvoicePdf } from '../../documents/index.ts';
import { getInvoice, getInvoiceLines, listInvoices, PAYMENT_STATUSES, paymentAttempts } from '../../invoices/index.ts';
import { defineRoute } from '../route.ts';
import { invoiceLineSchema, invoiceSchema, paymentAttemptsSchema } from '../schemas.ts';
import { idParams, requeueRoute, sendPdf } from './common.ts';

const tag = 'Invoices';

const listQuery = z.strictObject({
  customerId: recordIdSchema.optional(),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'expected a period YYYY-MM' }).optional(),
  status: z.enum(['issued', 'void']).optional(),
  paymentStatus: z.enum(PAYMENT_STATUSES).optional(),
  currency: currencyCodeSchema.optional(),
  limit: pageLimitSchema,
  before: recordIdSchema.optional().describe('cursor: the nextBefore of the previous page'),
});

const invoicePage = z.object({
  invoices: z.array(invoiceSchema),
  nextBefore: z.int().nullable().describe('pass as `before` for the next page; null on the last page'),
});

export const invoiceRoutes = [
  defineRoute({
    method: 'GET', url: '/api/v1/invoices', scope: 'read', tag, operationId: 'listInvoices',
    summary: 'List invoices, newest first, with filters and a cursor',
    query: listQuery, status: 200,
    response: { description: 'A page of invoices', schema: invoicePage },
    handler: (deps, { query }) => listInvoices(deps.pool, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/invoices/:invoiceId', scope: 'read', tag, operationId: 'getInvoice',
    summary: 'Get an invoice', params: idParams('invoiceId'), status: 200, errors: [404],
    response: { description: 'The invoice (its lines: /lines)', schema: invoiceSchema },
    handler: (deps, { params }) => (deps.invoiceLoader ? deps.invoiceLoader.get(params.invoiceId) : getInvoice(deps.pool, params.invoiceId)),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/invoices/:invoiceId/lines', scope: 'read', tag, operationId: 'getInvoiceLines',
    summary: 'The lines of an invoice', params: idParams('invoiceId'), status: 200, errors: [404],
    response: { description: 'Lines in order', schema: z.object({ lines: z.array(invoiceLineSchema) }) },
    handler: async (deps, { params }) => ({ lines: await getInvoiceLines(deps.pool, params.invoiceId) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/invoices/:invoiceId/payment-attempts', scope: 'read', tag, operationId: 'getPaymentAttempts',
    summary: 'Payment attempts of an invoice, with failure reasons and times', params: idParams('invoiceId'), status: 200, errors: [404],
    response: { description: 'The attempts (empty for an invoice never collected)', schema: paymentAttemptsSchema },
    handler: (deps, { params }) => paymentAttempts(deps.pool, params.invoiceId),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/invoices/:invoiceId/pdf', scope: 'read', tag, operationId: 'getInvoicePdf',
    summary: "The invoice's PDF, as stored",
    description:
      'PDFs are rendered by the workers after an invoice is issued. Until its PDF is stored (or if the stored file is ' +
      'missing or fails its checksum): 404 pdf_not_ready, retryable; an unknown invoice: 404 invoice_not_found. ' +
      'ETag is the sha256 of the file (If-None-Match → 304); X-Pdf-Pages its page count.',
    params: idParams('invoiceId'), status: 200, errors: [404],
    response: { description: 'The PDF', binary: 'application/pdf' },
    async handler(deps, { params }, request, reply) {
      const doc = await getStoredInvoicePdf({ db: deps.pool, settings: deps.config.documents, dataDir: deps.config.dataDir }, params.invoiceId);
      return sendPdf(request, reply, doc);
    },
  }),
  requeueRoute('/api/v1/invoices/:invoiceId/requeue', 'requeueInvoiceNative', tag),
];
