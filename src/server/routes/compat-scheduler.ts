/**
 * The invoice endpoints of the payment-scheduler service Billflow replaces (failed-payment
 * reconciliation): invoices by payment status (paged), the payment attempts of an invoice, and
 * requeue. The native API has the same operations under /api/v1/invoices (invoices.ts).
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE, recordIdSchema } from '../../customers/index.ts';
import { invoicesByPaymentStatus, PAYMENT_STATUSES, paymentAttempts } from '../../invoices/index.ts';
import { defineRoute } from '../route.ts';
import { invoiceSchema, paymentAttemptsSchema } from '../schemas.ts';
import { requeueRoute } from './common.ts';

const tag = 'Compatible';

const statusParams = z.strictObject({
  status: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(PAYMENT_STATUSES, { error: `expected one of ${PAYMENT_STATUSES.join(', ')} (any letter case)` })),
});

const pageQuery = z.strictObject({
  page: z.int().min(0, { error: 'must be ≥ 0' }).max(1_000_000).default(0).describe('page number, from 0'),
  size: z.int().min(1, { error: 'must be ≥ 1' }).max(MAX_PAGE_SIZE, { error: `at most ${MAX_PAGE_SIZE}` }).default(50),
});

const statusPage = z.object({
  status: z.enum(PAYMENT_STATUSES), page: z.int(), size: z.int(), hasMore: z.boolean(), invoices: z.array(invoiceSchema),
});

export const schedulerRoutes = [
  defineRoute({
    method: 'GET', url: '/rest/v1/invoices/status/:status', scope: 'read', tag, operationId: 'invoicesByPaymentStatus',
    summary: 'Invoices by payment status, paged (oldest first)',
    description: `status is one of ${PAYMENT_STATUSES.join(', ')}, any letter case (PENDING works).`,
    params: statusParams, query: pageQuery, status: 200,
    response: { description: 'A page of invoices', schema: statusPage },
    async handler(deps, { params, query }) {
      const page = await invoicesByPaymentStatus(deps.pool, params.status, query.page, query.size);
      return { status: params.status, page: query.page, size: query.size, ...page };
    },
  }),
  defineRoute({
    method: 'GET', url: '/rest/v1/invoices/failed/:invoiceId', scope: 'read', tag, operationId: 'invoiceFailures',
    summary: 'Failure reasons and timestamps of each payment attempt of an invoice',
    params: z.strictObject({ invoiceId: recordIdSchema }), status: 200, errors: [404],
    response: { description: 'The attempts (empty for an invoice never collected)', schema: paymentAttemptsSchema },
    handler: (deps, { params }) => paymentAttempts(deps.pool, params.invoiceId),
  }),
  requeueRoute('/rest/v1/invoices/:invoiceId/requeue', 'requeueInvoice', tag),
];
