/**
 * Credit notes: issue one against an issued invoice (all of what is left, a tax-inclusive
 * amount, or quantities of its lines), read one, list an invoice's. Issuing is one transaction
 * under the invoice's row lock: the credit note and its lines with the next number of its own
 * series, the invoice's credited total (and so its amount due), the ledger entry, the
 * `credit_note.issued` event and the job that renders its PDF — all or nothing. See
 * docs/credit-notes.md.
 */
import type pg from 'pg';
import { z } from 'zod';
import { BillflowError } from '../errors.ts';
import {
  amountMinorSchema, DEFAULT_PAGE_SIZE, inTransaction, isoDateSchema, notFound, parseInput, recordIdSchema, run, todayOf, type Deps,
} from '../customers/index.ts';
import { creditNoteEntry, postEntries } from '../ledger/index.ts';
import { amountDueMinor, planCreditNote, type CreditRequest, type TaxPart } from './credit-note-plan.ts';
import { creditNotesSql } from './credit-notes-sql.ts';

/** At most this many lines in one credit note request (an invoice has at most a few hundred). */
export const MAX_CREDIT_LINES = 1_000;

/** The request body of POST /api/v1/invoices/{id}/credit-notes: exactly one of full, amountMinor, lines. */
export const creditNoteBodySchema = z
  .strictObject({
    reason: z.string().trim().min(1, { error: 'must not be empty' }).max(500, { error: 'at most 500 characters' }),
    full: z.literal(true, { error: 'only true: credit everything still creditable' }).optional(),
    amountMinor: amountMinorSchema.min(1, { error: 'must be ≥ 1' }).optional().describe('tax-inclusive amount to credit, in minor units'),
    lines: z.array(z.strictObject({
      lineNo: z.int().min(1, { error: 'expected an invoice line number ≥ 1' }),
      quantity: z.int().min(1, { error: 'must be ≥ 1' }),
    })).min(1, { error: 'at least one line' }).max(MAX_CREDIT_LINES, { error: `at most ${MAX_CREDIT_LINES} lines` }).optional(),
    issueDate: isoDateSchema.optional().describe("defaults to today; not before the invoice's issue date"),
  })
  .superRefine((v, ctx) => {
    const given = [v.full, v.amountMinor, v.lines].filter((x) => x !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: `give exactly one of full, amountMinor or lines (${given} given)` });
    }
  });

export const issueCreditNoteSchema = creditNoteBodySchema.safeExtend({ invoiceId: recordIdSchema });
export type IssueCreditNoteInput = z.input<typeof issueCreditNoteSchema>;

export interface CreditNoteLine {
  lineNo: number;
  invoiceLineNo: number | null;
  description: string;
  quantity: number;
  unitAmountMinor: number;
  amountMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxPart[] | null;
}

export interface CreditNote {
  id: number;
  number: string;
  invoiceId: number;
  invoiceNumber: string;
  customerId: number;
  currency: string;
  mode: 'full' | 'amount' | 'lines';
  reason: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxPart[];
  /** Taken off what the customer owed on the invoice. */
  receivableMinor: number;
  /** Owed back to the customer (the invoice was paid). */
  customerCreditMinor: number;
  issueDate: string;
  createdAt: string;
  lines: CreditNoteLine[];
  /** The invoice as it is now. */
  invoice: { totalMinor: number; creditedMinor: number; creditAppliedMinor: number; amountDueMinor: number; paymentStatus: string };
  /** The stored PDF, once rendered (a worker renders it after issue; `billflow credit-note` at once). */
  pdf: { path: string; sizeBytes: number; sha256: string; pages: number; renderedAt: string } | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

function toLine(r: Row): CreditNoteLine {
  return {
    lineNo: r.line_no, invoiceLineNo: r.invoice_line_no, description: r.description, quantity: r.quantity, unitAmountMinor: r.unit_amount_minor,
    amountMinor: r.amount_minor, discountMinor: r.discount_minor, taxMinor: r.tax_minor, totalMinor: r.total_minor, taxBreakdown: r.tax_breakdown,
  };
}

function toCreditNote(r: Row, lines: CreditNoteLine[]): CreditNote {
  const invoice = {
    totalMinor: r.invoice_total_minor, creditedMinor: r.invoice_credited_minor, creditAppliedMinor: r.invoice_credit_applied_minor,
    paymentStatus: r.invoice_payment_status,
  };
  return {
    id: r.id, number: r.number, invoiceId: r.invoice_id, invoiceNumber: r.invoice_number, customerId: r.customer_id, currency: r.currency,
    mode: r.mode, reason: r.reason, subtotalMinor: r.subtotal_minor, discountMinor: r.discount_minor, taxMinor: r.tax_minor,
    totalMinor: r.total_minor, taxBreakdown: r.tax_breakdown, receivableMinor: r.receivable_minor, customerCreditMinor: r.customer_credit_minor,
    issueDate: r.issue_date, createdAt: (r.created_at as Date).toISOString(), lines,
    invoice: { ...invoice, amountDueMinor: amountDueMinor(invoice) },
    pdf: r.pdf_path === null ? null : {
      path: r.pdf_path, sizeBytes: r.pdf_size, sha256: r.pdf_sha256, pages: r.pdf_pages, renderedAt: (r.pdf_rendered_at as Date).toISOString(),
    },
  };
}

async function withLines(db: pg.Pool | pg.PoolClient, rows: Row[]): Promise<CreditNote[]> {
  if (rows.length === 0) return [];
  const lines = (await run(db, creditNotesSql.lines(rows.map((r) => r.id as number)))).rows as Row[];
  return rows.map((r) => toCreditNote(r, lines.filter((l) => l.credit_note_id === r.id).map(toLine)));
}

function requestOf(input: z.output<typeof issueCreditNoteSchema>): CreditRequest {
  if (input.lines !== undefined) return { mode: 'lines', lines: input.lines };
  if (input.amountMinor !== undefined) return { mode: 'amount', amountMinor: input.amountMinor };
  return { mode: 'full' };
}

/** `BFIN-CN-2026-000007`: zero-padded to six digits, never truncated (docs/invoice-numbering.md). */
export function creditNoteNumber(series: string, n: number): string {
  return `${series}-${String(n).padStart(6, '0')}`;
}

/**
 * Issues a credit note (see the file comment). Refusals name the field and write nothing:
 * invoice_not_found (404), invoice_line_not_found (404), credit_exceeds_invoice (409),
 * payment_in_progress (409), invoice_not_creditable (409), invalid_input (400).
 */
export async function issueCreditNote(deps: Deps, raw: unknown): Promise<CreditNote> {
  const input = parseInput(issueCreditNoteSchema, raw);
  const issueDate = input.issueDate ?? todayOf(deps.clock);
  const id = await inTransaction(deps.db, async (client) => {
    const inv = (await run(client, creditNotesSql.lockInvoice(input.invoiceId))).rows[0] as Row | undefined;
    if (inv === undefined) throw notFound('invoice', [{ field: 'invoiceId', message: `no invoice with id ${input.invoiceId}` }]);
    if (issueDate < inv.issue_date) {
      const message = `${issueDate} is before the invoice's issue date ${inv.issue_date}`;
      throw new BillflowError('invalid_input', `issueDate: ${message}`, { details: [{ field: 'issueDate', message }] });
    }
    const lines = (await run(client, creditNotesSql.invoiceLines(inv.id))).rows as Row[];
    const earlierTaxes = (await run(client, creditNotesSql.earlierTaxes(inv.id))).rows as { tax_breakdown: TaxPart[] }[];
    const earlierQuantities = (await run(client, creditNotesSql.earlierQuantities(inv.id))).rows as { invoice_line_no: number; quantity: number }[];
    const plan = planCreditNote({
      id: inv.id, number: inv.number, status: inv.status, paymentStatus: inv.payment_status, paymentInFlight: inv.payment_in_flight,
      currency: inv.currency, issueDate: inv.issue_date, totalMinor: inv.total_minor, taxMinor: inv.tax_minor, creditedMinor: inv.credited_minor,
      creditAppliedMinor: inv.credit_applied_minor, taxBreakdown: inv.tax_breakdown ?? [],
      lines: lines.map((l) => ({
        lineNo: l.line_no, description: l.description, quantity: l.quantity, unitAmountMinor: l.unit_amount_minor, amountMinor: l.amount_minor,
        discountMinor: l.discount_minor, taxMinor: l.tax_minor, totalMinor: l.total_minor, taxBreakdown: l.tax_breakdown,
      })),
    }, {
      taxBreakdown: earlierTaxes.flatMap((e) => e.tax_breakdown),
      quantityByLine: new Map(earlierQuantities.map((q) => [q.invoice_line_no, q.quantity])),
    }, requestOf(input), input.reason);
    const year = Number(issueDate.slice(0, 4));
    const series = `${inv.number_prefix}-CN-${year}`;
    const n = (await run<{ n: number }>(client, creditNotesSql.takeNumber(series, inv.legal_entity_id, year))).rows[0]!.n;
    const number = creditNoteNumber(series, n);
    const creditNoteId = (await run<{ id: number }>(client, creditNotesSql.insert({
      number, invoiceId: inv.id, customerId: inv.customer_id, legalEntityId: inv.legal_entity_id, currency: inv.currency, reason: input.reason, issueDate, plan,
    }))).rows[0]!.id;
    await run(client, creditNotesSql.insertLines(creditNoteId, plan.lines));
    const after = (await run<{ payment_status: string; left_minor: number }>(client, creditNotesSql.creditInvoice(inv.id, plan.totalMinor))).rows[0]!;
    await postEntries(client, [creditNoteEntry({
      id: creditNoteId, customerId: inv.customer_id, currency: inv.currency, totalMinor: plan.totalMinor, taxMinor: plan.taxMinor,
      receivableMinor: plan.receivableMinor,
    })]);
    await run(client, creditNotesSql.outbox(creditNoteId, {
      creditNoteId, number, invoiceId: inv.id, invoiceNumber: inv.number, customerId: inv.customer_id, currency: inv.currency,
      totalMinor: plan.totalMinor, taxMinor: plan.taxMinor, receivableMinor: plan.receivableMinor, customerCreditMinor: plan.customerCreditMinor,
      invoicePaymentStatus: after.payment_status, invoiceLeftToCreditMinor: after.left_minor, reason: input.reason, issueDate,
    }));
    await run(client, creditNotesSql.queueRender(creditNoteId));
    return creditNoteId;
  });
  return getCreditNote(deps.db, id);
}

export async function getCreditNote(db: pg.Pool | pg.PoolClient, creditNoteId: number): Promise<CreditNote> {
  const rows = (await run(db, creditNotesSql.byId(creditNoteId))).rows as Row[];
  if (rows.length === 0) throw notFound('credit_note', [{ field: 'creditNoteId', message: `no credit note with id ${creditNoteId}` }]);
  return (await withLines(db, rows))[0]!;
}

/** An invoice's credit notes, oldest first (404 for an unknown invoice). */
export async function listCreditNotes(db: pg.Pool, invoiceId: number, limit = DEFAULT_PAGE_SIZE): Promise<{ invoiceId: number; creditNotes: CreditNote[] }> {
  const exists = (await db.query('select 1 from invoices where id = $1', [invoiceId])).rowCount;
  if (!exists) throw notFound('invoice', [{ field: 'invoiceId', message: `no invoice with id ${invoiceId}` }]);
  return { invoiceId, creditNotes: await withLines(db, (await run(db, creditNotesSql.byInvoice(invoiceId, limit))).rows as Row[]) };
}
