import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { inTransaction, lockCustomer, parseInput } from '../customers/index.ts';
import { postEntries, repaymentEntry } from '../ledger/index.ts';
import { recordPaidInstallments } from '../loans/index.ts';
import { applyCustomerCredit, creditSql, MAX_INVOICES_PER_APPLICATION } from '../payments/index.ts';
import { allocate, findDuplicate, type DuplicateDecision } from './duplicates.ts';
import { repaymentsSql } from './repayments-sql.ts';
import { repaymentSchema, type RepaymentInput } from './schemas.ts';

export interface RepaymentDeps {
  pool: pg.Pool;
  settings: { duplicateWindowMs: number };
}

export interface RepaymentResult {
  repaymentId: number;
  status: 'accepted' | 'duplicate';
  duplicateOf: number | null;
  reason: string | null;
  appliedMinor: number;
  excessMinor: number;
  paidInvoiceIds: number[];
  /** Customer credit (this excess and any held before) then applied to the open invoices left, oldest first. */
  creditAppliedMinor: number;
  /** Invoices that credit paid in full. */
  creditPaidInvoiceIds: number[];
  /** What of this repayment's excess the customer still holds as credit afterwards: all a refund may take. */
  refundableMinor: number;
}

async function exec(client: pg.PoolClient, sql: { text: string; values: unknown[] }) {
  return client.query(sql.text, sql.values);
}

/**
 * Records one repayment in one transaction: duplicate check (serialised per customer) →
 * duplicates are recorded as such and change nothing → otherwise open invoices are paid in full
 * oldest first (advancing the loans whose EMIs they bill), the rest becomes customer credit, and
 * the ledger posts cash Dr / receivable Cr / customer credit Cr → then the customer's credit
 * (this excess included) is applied to the open invoices left, so a partial repayment reduces
 * the next invoice's amount due (src/payments/credit). Returns what happened; the refund of what
 * is left of the excess is a separate saga (refund.ts; docs/decisions.md: credit is applied
 * before it is refunded).
 */
export async function ingestRepayment(deps: RepaymentDeps, raw: unknown, source = 'api'): Promise<RepaymentResult> {
  const input = parseInput(repaymentSchema, raw);
  return inTransaction(deps.pool, (client) => ingestIn(client, deps, input, source));
}

export async function ingestIn(client: pg.PoolClient, deps: RepaymentDeps, input: RepaymentInput, source: string): Promise<RepaymentResult> {
  const customer = await lockCustomer(client, input.customerId);
  if (customer.currency !== input.currency) {
    const message = `customer ${customer.id} is billed in ${customer.currency}, not ${input.currency}`;
    throw new BillflowError('currency_mismatch', message, { httpStatus: 422, details: [{ field: 'currency', message }] });
  }
  await exec(client, repaymentsSql.lockCustomer(customer.id));
  const externalRef = input.externalRef ?? null;
  const nearby = (await exec(client, repaymentsSql.nearby(customer.id, externalRef, input.amountMinor, input.channel, input.receivedAt, deps.settings.duplicateWindowMs))).rows;
  const decision: DuplicateDecision = findDuplicate(
    { amountMinor: input.amountMinor, currency: input.currency, channel: input.channel, externalRef, receivedAtMs: Date.parse(input.receivedAt) },
    nearby.map((r) => ({ id: r.id, amountMinor: r.amount_minor, currency: r.currency, channel: r.channel, externalRef: r.external_ref, receivedAtMs: (r.received_at as Date).getTime() })),
    deps.settings.duplicateWindowMs,
  );
  const row = { customerId: customer.id, currency: input.currency, amountMinor: input.amountMinor, channel: input.channel, externalRef,
    receivedAt: input.receivedAt, loanId: input.loanId ?? null, source };
  if (decision.duplicate) {
    const id = (await exec(client, repaymentsSql.insert({ ...row, status: 'duplicate', duplicateOf: decision.of, appliedMinor: 0, excessMinor: 0 }))).rows[0].id;
    return { repaymentId: id, status: 'duplicate', duplicateOf: decision.of, reason: decision.reason, appliedMinor: 0, excessMinor: 0, paidInvoiceIds: [],
      creditAppliedMinor: 0, creditPaidInvoiceIds: [], refundableMinor: 0 };
  }
  const open = (await exec(client, creditSql.openInvoices(customer.id, input.currency, MAX_INVOICES_PER_APPLICATION))).rows.map((r) => ({ id: r.id as number, totalMinor: r.due_minor as number }));
  const split = allocate(input.amountMinor, open);
  const id = (await exec(client, repaymentsSql.insert({ ...row, status: 'accepted', duplicateOf: null, appliedMinor: split.appliedMinor, excessMinor: split.excessMinor }))).rows[0].id as number;
  if (split.invoiceIds.length > 0) await exec(client, repaymentsSql.payInvoices(split.invoiceIds, id));
  await postEntries(client, [repaymentEntry({ id, customerId: customer.id, currency: input.currency, amountMinor: input.amountMinor, appliedMinor: split.appliedMinor })]);
  // EMI invoices paid in full advance their loans (after the balances, as in collection: one lock
  // order); a repayment smaller than the oldest open invoice pays none and advances nothing.
  await recordPaidInstallments(client, split.invoiceIds, new Date(input.receivedAt));
  const credit = await applyCustomerCredit(client, { customerId: customer.id, currency: input.currency, trigger: 'repayment', now: new Date(input.receivedAt) });
  const result = {
    appliedMinor: split.appliedMinor, excessMinor: split.excessMinor, paidInvoiceIds: split.invoiceIds, creditAppliedMinor: credit.appliedMinor,
    creditPaidInvoiceIds: credit.paidInvoiceIds, refundableMinor: Math.min(split.excessMinor, credit.creditLeftMinor),
  };
  await exec(client, repaymentsSql.outbox('repayment.received', id, { repaymentId: id, customerId: customer.id, amountMinor: input.amountMinor, currency: input.currency, ...result }));
  return { repaymentId: id, status: 'accepted', duplicateOf: null, reason: null, ...result };
}
