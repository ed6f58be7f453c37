/**
 * Small pieces the route files share: path-parameter and paging schemas built from the domain's
 * own field schemas, and the library's dependencies from the server's.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageLimitSchema, recordIdSchema, textIdSchema, type Deps } from '../../customers/index.ts';
import { requeueInvoice } from '../../invoices/index.ts';
import { defineRoute, type ServerDeps } from '../route.ts';
import { requeueSchema } from '../schemas.ts';

/** `{[name]: positive integer id}` for a path like /customers/:customerId. */
export function idParams<N extends string>(name: N) {
  return z.strictObject({ [name]: recordIdSchema } as Record<N, typeof recordIdSchema>);
}

/** `{[name]: text id}` for a path like /plans/:planId. */
export function textIdParams<N extends string>(name: N) {
  return z.strictObject({ [name]: textIdSchema } as Record<N, typeof textIdSchema>);
}

/** Cursor paging by text id (products, plans, metrics). */
export const textPageQuery = z.strictObject({ limit: pageLimitSchema, after: textIdSchema.optional() });

export function libraryDeps(deps: ServerDeps): Deps {
  return deps.clock ? { db: deps.pool, clock: deps.clock } : { db: deps.pool };
}

export const requeueDescription =
  'Only an invoice whose payment failed can be requeued: it goes back to payment status pending, with one open requeue ' +
  'for the collector and an invoice.payment_requeued event. Requeue again before the collector takes it: nothing more is ' +
  'queued (200, requeued: false, the first request\'s time). Any other invoice: 409 invoice_not_failed.';

/** POST …/requeue: the compatible (/rest/v1) and native (/api/v1) paths share one operation. */
export function requeueRoute(url: string, operationId: string, tag: string) {
  return defineRoute({
    method: 'POST', url, scope: 'write', tag, operationId,
    summary: 'Requeue a failed invoice for payment', description: requeueDescription,
    params: idParams('invoiceId'), status: 202, errors: [404, 409],
    alsoResponds: { 200: { description: 'Already queued by an earlier requeue: nothing more was queued', schema: requeueSchema } },
    response: { description: 'Queued for payment again', schema: requeueSchema },
    async handler(deps, { params }, request, reply) {
      const result = await requeueInvoice(deps.pool, params.invoiceId, request.apiKey?.id ?? null);
      if (!result.requeued) void reply.code(200);
      return result;
    },
  });
}

/** A stored PDF as the answer: ETag = its sha256 (If-None-Match → 304), X-Pdf-Pages, an inline file name. */
export function sendPdf(request: FastifyRequest, reply: FastifyReply, doc: { pdf: Buffer; sha256: string; pages: number; filename: string }) {
  const etag = `"${doc.sha256}"`;
  void reply.header('etag', etag).header('cache-control', 'private, max-age=0, must-revalidate');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  void reply.type('application/pdf').header('x-pdf-pages', String(doc.pages))
    .header('content-disposition', `inline; filename="${doc.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  return doc.pdf;
}
