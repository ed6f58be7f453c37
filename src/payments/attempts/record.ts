import type pg from 'pg';
import { paymentEntry, postEntries } from '../../ledger/index.ts';
import { recordPaidInstallments } from '../../loans/index.ts';
import type { OutcomePlan } from '../dunning/plan.ts';
import { attemptsSql } from './attempts-sql.ts';

export interface RecordCounts {
  paid: number;
  retry: number;
  failed: number;
  unknown: number;
}

async function exec(client: pg.PoolClient, sql: { text: string; values: unknown[] }) {
  return client.query(sql.text, sql.values);
}

/**
 * Applies an outcome plan in the caller's transaction: attempt rows completed, payments written
 * and posted to the ledger (cash Dr / receivable Cr), invoices' payment_status, the loans whose
 * EMIs the paid invoices bill (paid_installments), dunning schedules and outbox events. Only
 * attempts still in `fromStatus` are touched: an attempt another process already settled is left
 * alone, and so are its invoice, its loan and the ledger.
 */
export async function recordOutcomes(
  client: pg.PoolClient,
  plan: OutcomePlan,
  ctx: { provider: string; now: Date; fromStatus: 'started' | 'unknown'; resolvedBy: 'response' | 'janitor' },
): Promise<RecordCounts> {
  const a = plan.attempts;
  if (a.length === 0) return { paid: 0, retry: 0, failed: 0, unknown: 0 };
  const finish = attemptsSql.finishAttempts(a.map((x) => x.id), a.map((x) => x.status), a.map((x) => x.code), a.map((x) => x.message),
    a.map((x) => x.ref), a.map((x) => x.nextCheck), ctx.now, ctx.resolvedBy, ctx.fromStatus);
  const settledAttempts = new Set((await exec(client, finish)).rows.map((r: { id: number }) => r.id));
  const settled = new Set(a.filter((x) => settledAttempts.has(x.id)).map((x) => x.invoiceId));
  const paid = plan.paid.filter((p) => settled.has(p.invoiceId));
  const retry = plan.retry.filter((r) => settled.has(r.invoiceId));
  const failed = plan.failed.filter((r) => settled.has(r.invoiceId));
  const unknown = plan.unknown.filter((invoiceId) => settled.has(invoiceId));
  if (paid.length > 0) {
    const pay = attemptsSql.insertPayments(paid.map((p) => p.invoiceId), paid.map((p) => p.attemptId), paid.map((p) => p.providerRef), ctx.provider, ctx.now);
    const payments = (await exec(client, pay)).rows as { id: number; customer_id: number; currency: string; amount_minor: number }[];
    await postEntries(client, payments.map((p) => paymentEntry({ id: p.id, customerId: p.customer_id, currency: p.currency, amountMinor: p.amount_minor })));
    await exec(client, attemptsSql.setPaymentStatus(paid.map((p) => p.invoiceId), 'paid'));
    await recordPaidInstallments(client, paid.map((p) => p.invoiceId), ctx.now);
    await exec(client, attemptsSql.outbox('invoice.paid', paid.map((p) => p.invoiceId),
      paid.map((p) => JSON.stringify({ invoiceId: p.invoiceId, attemptId: p.attemptId, providerRef: p.providerRef }))));
  }
  if (retry.length > 0) {
    await exec(client, attemptsSql.schedule(retry.map((r) => r.invoiceId), retry.map((r) => r.at), retry.map((r) => r.failure)));
    await exec(client, attemptsSql.setPaymentStatus(retry.map((r) => r.invoiceId), 'pending'));
  }
  if (failed.length > 0) {
    await exec(client, attemptsSql.setPaymentStatus(failed.map((r) => r.invoiceId), 'failed'));
    await exec(client, attemptsSql.outbox('invoice.payment_failed', failed.map((r) => r.invoiceId),
      failed.map((r) => JSON.stringify({ invoiceId: r.invoiceId, failure: r.failure }))));
  }
  if (unknown.length > 0) await exec(client, attemptsSql.setPaymentStatus(unknown, 'unknown'));
  return { paid: paid.length, retry: retry.length, failed: failed.length, unknown: unknown.length };
}
