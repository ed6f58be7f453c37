/** Credit notes: issue one against an invoice, get one, its PDF, and an invoice's list. */
import { z } from 'zod';
import { pageLimitSchema } from '../../customers/index.ts';
import { getStoredCreditNotePdf } from '../../documents/index.ts';
import { creditNoteBodySchema, getCreditNote, issueCreditNote, listCreditNotes } from '../../invoices/index.ts';
import { defineRoute } from '../route.ts';
import { creditNoteSchema } from '../schemas.ts';
import { idParams, libraryDeps, sendPdf } from './common.ts';

const tag = 'Credit notes';

export const creditNoteRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/invoices/:invoiceId/credit-notes', scope: 'write', tag, operationId: 'issueCreditNote',
    summary: 'Issue a credit note against an invoice: all of it, an amount, or line quantities',
    description:
      'Exactly one of `full: true` (everything still creditable), `amountMinor` (tax-inclusive; tax reversed in proportion) or ' +
      '`lines` ([{lineNo, quantity}] of the invoice\'s lines). The credit note gets the next number of its own gapless series ' +
      '(<prefix>-CN-<year>-NNNNNN). In one transaction: the credit note, the invoice\'s credited total (an unpaid invoice\'s amount ' +
      'due falls; a paid one\'s credit goes to the customer\'s credit), balanced ledger lines, a credit_note.issued event and the ' +
      'job rendering its PDF. More than is left to credit (invoice total minus earlier credit notes): 409 credit_exceeds_invoice ' +
      'naming the field; a payment in flight or of unknown outcome: 409 payment_in_progress; nothing is written. ' +
      'Idempotency-Key: a repeat returns the first answer.',
    params: idParams('invoiceId'), body: creditNoteBodySchema, status: 201, errors: [404, 409],
    example: { amountMinor: 11800, reason: 'Damaged item returned' },
    response: { description: 'The credit note (pdf: null until a worker has rendered it)', schema: creditNoteSchema },
    handler: (deps, { params, body }) => issueCreditNote(libraryDeps(deps), { ...body, invoiceId: params.invoiceId }),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/invoices/:invoiceId/credit-notes', scope: 'read', tag, operationId: 'listInvoiceCreditNotes',
    summary: "An invoice's credit notes, oldest first", params: idParams('invoiceId'),
    query: z.strictObject({ limit: pageLimitSchema }), status: 200, errors: [404],
    response: { description: 'The credit notes', schema: z.object({ invoiceId: z.int(), creditNotes: z.array(creditNoteSchema) }) },
    handler: (deps, { params, query }) => listCreditNotes(deps.pool, params.invoiceId, query.limit),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/credit-notes/:creditNoteId', scope: 'read', tag, operationId: 'getCreditNote',
    summary: 'Get a credit note', params: idParams('creditNoteId'), status: 200, errors: [404],
    response: { description: 'The credit note', schema: creditNoteSchema },
    handler: (deps, { params }) => getCreditNote(deps.pool, params.creditNoteId),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/credit-notes/:creditNoteId/pdf', scope: 'read', tag, operationId: 'getCreditNotePdf',
    summary: "The credit note's PDF, as stored",
    description:
      'Rendered by a worker after issue (or by `billflow credit-note`). Until stored (or if the stored file is missing or fails its ' +
      'checksum): 404 pdf_not_ready, retryable; an unknown credit note: 404 credit_note_not_found. ETag is the sha256 of the file.',
    params: idParams('creditNoteId'), status: 200, errors: [404],
    response: { description: 'The PDF', binary: 'application/pdf' },
    async handler(deps, { params }, request, reply) {
      const doc = await getStoredCreditNotePdf({ db: deps.pool, settings: deps.config.documents, dataDir: deps.config.dataDir }, params.creditNoteId);
      return sendPdf(request, reply, doc);
    },
  }),
];
