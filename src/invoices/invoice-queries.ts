/**
 * Invoice reads for the API: one invoice, its lines, filtered lists with a cursor (newest first),
 * pages by payment status (the compatible endpoint), payment attempts, and the requeue of a
 * failed invoice. The SQL sits here because src/invoices has no such queries yet; it belongs
 * there once another caller needs it.
 */
import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { inTransaction, notFound } from '../customers/index.ts';
import { amountDueMinor } from './credit-note-plan.ts';

export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'unknown', 'not_required'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const INVOICE_COLUMNS = `id, number, customer_id, period, source, run_id, legal_entity_id, status, payment_status, currency,
  subtotal_minor, discount_minor, tax_minor, total_minor, credited_minor, credit_applied_minor, tax_breakdown, issue_date, due_date, period_start, period_end, created_at`;

export interface Invoice {
  id: number;
  number: string;
  customerId: number;
  period: string;
  source: string;
  runId: number | null;
  legalEntityId: string;
  status: 'issued' | 'void';
  paymentStatus: PaymentStatus;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  /** Taken off by credit notes so far. */
  creditedMinor: number;
  /** Customer credit used against it (src/payments/credit). */
  creditAppliedMinor: number;
  /** What the customer still owes: total − credited − credit applied while unpaid; 0 once paid (or not required). */
  amountDueMinor: number;
  taxBreakdown: unknown[];
  issueDate: string;
  dueDate: string;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

export function rowToInvoice(r: Row): Invoice {
  return {
    id: r.id, number: r.number, customerId: r.customer_id, period: r.period, source: r.source, runId: r.run_id,
    legalEntityId: r.legal_entity_id, status: r.status, paymentStatus: r.payment_status, currency: r.currency,
    subtotalMinor: r.subtotal_minor, discountMinor: r.discount_minor, taxMinor: r.tax_minor, totalMinor: r.total_minor,
    creditedMinor: r.credited_minor, creditAppliedMinor: r.credit_applied_minor,
    amountDueMinor: amountDueMinor({ paymentStatus: r.payment_status, totalMinor: r.total_minor, creditedMinor: r.credited_minor, creditAppliedMinor: r.credit_applied_minor }),
    taxBreakdown: r.tax_breakdown, issueDate: r.issue_date, dueDate: r.due_date, periodStart: r.period_start,
    periodEnd: r.period_end, createdAt: (r.created_at as Date).toISOString(),
  };
}

function invoiceNotFound(invoiceId: number): BillflowError {
  return notFound('invoice', [{ field: 'invoiceId', message: `no invoice with id ${invoiceId}` }]);
}

export async function getInvoice(db: pg.Pool, invoiceId: number): Promise<Invoice> {
  const row = (await db.query({ name: 'api_invoice_by_id', text: `select ${INVOICE_COLUMNS} from invoices where id = $1`, values: [invoiceId] })).rows[0];
  if (row === undefined) throw invoiceNotFound(invoiceId);
  return rowToInvoice(row);
}

export async function getInvoiceLines(db: pg.Pool, invoiceId: number) {
  await getInvoice(db, invoiceId);
  const rows = (await db.query(
    `select line_no, kind, description, product_id, quantity, unit_amount_minor, amount_minor, discount_minor, tax_minor,
       total_minor, tax_breakdown, service_start, service_end, loan_id, installment_seq from invoice_lines where invoice_id = $1 order by line_no`,
    [invoiceId],
  )).rows;
  return rows.map((r: Row) => ({
    lineNo: r.line_no, kind: r.kind, description: r.description, productId: r.product_id, quantity: r.quantity,
    unitAmountMinor: r.unit_amount_minor, amountMinor: r.amount_minor, discountMinor: r.discount_minor, taxMinor: r.tax_minor,
    totalMinor: r.total_minor, taxBreakdown: r.tax_breakdown, serviceStart: r.service_start, serviceEnd: r.service_end,
    loanId: r.loan_id === null ? null : Number(r.loan_id), installmentSeq: r.installment_seq,
  }));
}

export interface InvoiceFilters {
  customerId?: number | undefined;
  period?: string | undefined;
  status?: 'issued' | 'void' | undefined;
  paymentStatus?: PaymentStatus | undefined;
  currency?: string | undefined;
  /** Cursor: invoices with a smaller id than this (the previous page's nextBefore). */
  before?: number | undefined;
  limit: number;
}

/** Newest first; `nextBefore` continues the listing, null on the last page. */
export async function listInvoices(db: pg.Pool, f: InvoiceFilters): Promise<{ invoices: Invoice[]; nextBefore: number | null }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (f.customerId !== undefined) add('customer_id = ?', f.customerId);
  if (f.period !== undefined) add('period = ?', f.period);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.paymentStatus !== undefined) add('payment_status = ?', f.paymentStatus);
  if (f.currency !== undefined) add('currency = ?', f.currency);
  if (f.before !== undefined) add('id < ?', f.before);
  values.push(f.limit);
  const text = `select ${INVOICE_COLUMNS} from invoices ${where.length ? `where ${where.join(' and ')}` : ''}
    order by id desc limit $${values.length}`;
  const invoices = (await db.query(text, values)).rows.map(rowToInvoice);
  const last = invoices[invoices.length - 1];
  return { invoices, nextBefore: invoices.length === f.limit && last !== undefined ? last.id : null };
}

/** Page `page` (from 0) of `size` invoices with this payment status, oldest first. */
export async function invoicesByPaymentStatus(db: pg.Pool, status: PaymentStatus, page: number, size: number) {
  const rows = (await db.query(
    `select ${INVOICE_COLUMNS} from invoices where payment_status = $1 order by id limit $2 offset $3`,
    [status, size + 1, page * size],
  )).rows;
  return { invoices: rows.slice(0, size).map(rowToInvoice), hasMore: rows.length > size };
}

/** Payment attempts of an invoice (the audit trail written by src/payments), oldest first, and its requeues. */
export async function paymentAttempts(db: pg.Pool, invoiceId: number) {
  const invoice = await getInvoice(db, invoiceId);
  const requeues = (await db.query(
    'select requested_at, consumed_at from invoice_requeues where invoice_id = $1 order by id', [invoiceId],
  )).rows.map((r: Row) => ({ requestedAt: (r.requested_at as Date).toISOString(), consumedAt: (r.consumed_at as Date | null)?.toISOString() ?? null }));
  const attempts = (await db.query(
    `select attempt_no, started_at, finished_at, status, failure_code, failure_message, idempotency_key, provider, provider_ref,
       amount_minor, currency, trigger, checks, next_check_at, resolved_by
     from payment_attempts where invoice_id = $1 order by attempt_no`, [invoiceId],
  )).rows.map((r: Row) => ({
    attemptNo: r.attempt_no, attemptedAt: (r.started_at as Date).toISOString(), finishedAt: (r.finished_at as Date | null)?.toISOString() ?? null,
    outcome: r.status, failureCode: r.failure_code, failureMessage: r.failure_message, idempotencyKey: r.idempotency_key, provider: r.provider,
    providerRef: r.provider_ref, amountMinor: r.amount_minor, currency: r.currency, trigger: r.trigger, janitorChecks: r.checks,
    nextCheckAt: (r.next_check_at as Date | null)?.toISOString() ?? null, resolvedBy: r.resolved_by,
  }));
  return { invoiceId, number: invoice.number, paymentStatus: invoice.paymentStatus, attempts, requeues };
}

/**
 * Requeue for payment: only a failed invoice can be requeued. It goes back to 'pending' with one
 * open invoice_requeues row and an 'invoice.payment_requeued' outbox event, in one transaction.
 * Requeue again while that row is open (not yet taken by the collector): nothing more is queued
 * and the answer says requeued: false with the first request's time. Anything else → 409.
 */
export async function requeueInvoice(db: pg.Pool, invoiceId: number, apiKeyId: number | null) {
  return inTransaction(db, async (client) => {
    const invoice = (await client.query(`select i.id, i.number, i.payment_status, i.customer_id, c.collection_method from invoices i
      join customers c on c.id = i.customer_id where i.id = $1 for update of i`, [invoiceId])).rows[0];
    if (invoice === undefined) throw invoiceNotFound(invoiceId);
    if (invoice.collection_method !== 'charge_automatically') {
      const message = `customer ${invoice.customer_id} pays by transfer (collectionMethod ${invoice.collection_method}): nothing is charged; ` +
        'record their repayment, or set collectionMethod charge_automatically first';
      throw new BillflowError('not_charged_automatically', message, { httpStatus: 409, details: [{ field: 'invoiceId', message }] });
    }
    const open = (await client.query(`select requested_at from invoice_requeues where invoice_id = $1 and consumed_at is null`, [invoiceId])).rows[0];
    let result;
    if (invoice.payment_status === 'failed') {
      await client.query(`update invoices set payment_status = 'pending' where id = $1`, [invoiceId]);
      // Due at once (dunning's schedule no longer applies), and a real collection job for it: the
      // job key and the open requeue row make a second requeue queue nothing more.
      await client.query(`insert into payment_schedules (invoice_id, next_attempt_at) values ($1, now())
        on conflict (invoice_id) do update set next_attempt_at = now()`, [invoiceId]);
      await client.query(`select graphile_worker.add_job('payments_collect', json_build_object('invoiceIds', array[$1::bigint], 'trigger', 'requeue'),
        job_key := 'payments:requeue:' || $1::bigint, job_key_mode := 'preserve_run_at')`, [invoiceId]);
      const requeue = open ?? (await client.query(
        `insert into invoice_requeues (invoice_id, api_key_id) values ($1, $2) returning id, requested_at`, [invoiceId, apiKeyId],
      )).rows[0];
      await client.query(
        `insert into outbox_events (topic, aggregate_id, payload) values ('invoice.payment_requeued', $1, $2)`,
        [invoiceId, { invoiceId, number: invoice.number, requestedAt: requeue.requested_at }],
      );
      result = { invoiceId, number: invoice.number, paymentStatus: 'pending', requeued: true, requestedAt: (requeue.requested_at as Date).toISOString() };
    } else if (open !== undefined && invoice.payment_status === 'pending') {
      result = { invoiceId, number: invoice.number, paymentStatus: 'pending', requeued: false, requestedAt: (open.requested_at as Date).toISOString() };
    } else {
      const message = `only failed invoices can be requeued; invoice ${invoiceId} is '${invoice.payment_status}'`;
      throw new BillflowError('invoice_not_failed', message, { httpStatus: 409, details: [{ field: 'paymentStatus', message }] });
    }
    return result;
  });
}
