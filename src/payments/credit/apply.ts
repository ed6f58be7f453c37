/**
 * Customer credit applied to open invoices (docs/payments.md, "Customer credit"): in the caller's
 * transaction, the customer's balance row is locked, their open invoices in the currency are
 * taken oldest first (skip locked: one being charged or credited right now is left alone), and
 * the credit pays whole invoices, then part of the next. Each application writes a
 * credit_applications row, grows invoices.credit_applied_minor and posts a `credit_applied`
 * entry (customer credit Dr / receivable Cr). An invoice paid in full by credit becomes 'paid'
 * (an `invoice.paid` event saying so) and advances the loan whose EMI it bills.
 */
import type pg from 'pg';
import { inTransaction, notFound } from '../../customers/index.ts';
import { creditAppliedEntry, postEntries } from '../../ledger/index.ts';
import { recordPaidInstallments } from '../../loans/index.ts';
import { attemptsSql } from '../attempts/attempts-sql.ts';
import { creditSql, type CreditTrigger } from './credit-sql.ts';
import { planCreditApplication } from './plan.ts';

/** Open invoices one credit application or repayment allocation looks at (a customer has a handful; the rest waits for the next). */
export const MAX_INVOICES_PER_APPLICATION = 1_000;

export interface CreditApplicationResult {
  customerId: number;
  currency: string;
  appliedMinor: number;
  /** Credit the customer still holds in the currency afterwards. */
  creditLeftMinor: number;
  applications: { id: number; invoiceId: number; amountMinor: number; amountDueMinor: number }[];
  paidInvoiceIds: number[];
}

type Db = pg.PoolClient;

async function exec<R extends pg.QueryResultRow>(client: Db, sql: { text: string; values: unknown[] }) {
  return client.query<R>(sql.text, sql.values);
}

export async function applyCustomerCredit(
  client: Db,
  input: { customerId: number; currency: string; trigger: CreditTrigger; now: Date },
): Promise<CreditApplicationResult> {
  const { customerId, currency, now } = input;
  const none = (creditLeftMinor: number): CreditApplicationResult => ({ customerId, currency, appliedMinor: 0, creditLeftMinor, applications: [], paidInvoiceIds: [] });
  const balance = (await exec<{ credit_minor: number }>(client, creditSql.lockBalance(customerId, currency))).rows[0];
  if (balance === undefined || balance.credit_minor <= 0) return none(balance?.credit_minor ?? 0);
  const open = (await exec<{ id: number; due_minor: number }>(client, creditSql.openInvoices(customerId, currency, MAX_INVOICES_PER_APPLICATION))).rows;
  const plan = planCreditApplication(balance.credit_minor, open.map((r) => ({ id: r.id, dueMinor: r.due_minor })));
  if (plan.applications.length === 0) return none(balance.credit_minor);
  const a = plan.applications;
  const rows = (await exec<{ id: number; invoice_id: number; amount_minor: number }>(client,
    creditSql.insertApplications(customerId, currency, a.map((x) => x.invoiceId), a.map((x) => x.amountMinor), now, input.trigger))).rows;
  const after = (await exec<{ id: number; due_minor: number }>(client,
    creditSql.applyToInvoices(a.map((x) => x.invoiceId), a.map((x) => x.amountMinor), a.map((x) => x.paidInFull)))).rows;
  const dueAfter = new Map(after.map((r) => [r.id, r.due_minor]));
  await postEntries(client, rows.map((r) => creditAppliedEntry({ id: r.id, customerId, currency, amountMinor: r.amount_minor })));
  const paidInvoiceIds = a.filter((x) => x.paidInFull).map((x) => x.invoiceId);
  // Loans after the balances, as in collection and repayments: one lock order.
  await recordPaidInstallments(client, paidInvoiceIds, now);
  const applications = rows.map((r) => ({ id: r.id, invoiceId: r.invoice_id, amountMinor: r.amount_minor, amountDueMinor: Math.max(0, dueAfter.get(r.invoice_id) ?? 0) }));
  await exec(client, attemptsSql.outbox('invoice.credit_applied', applications.map((x) => x.invoiceId), applications.map((x) => JSON.stringify({
    creditApplicationId: x.id, invoiceId: x.invoiceId, customerId, currency, amountMinor: x.amountMinor, amountDueMinor: x.amountDueMinor, trigger: input.trigger,
  }))));
  const paid = applications.filter((x) => paidInvoiceIds.includes(x.invoiceId));
  if (paid.length > 0) {
    await exec(client, attemptsSql.outbox('invoice.paid', paid.map((x) => x.invoiceId), paid.map((x) => JSON.stringify({
      invoiceId: x.invoiceId, paidBy: 'customer_credit', creditApplicationId: x.id, amountMinor: x.amountMinor,
    }))));
  }
  return { customerId, currency, appliedMinor: plan.appliedMinor, creditLeftMinor: plan.leftMinor, applications, paidInvoiceIds };
}

/**
 * Applies one customer's credit now, in its own transaction (the API's and the CLI's action): in
 * the currency given, or the customer's billing currency. 404 for an unknown customer.
 */
export async function applyCreditNow(
  deps: { pool: pg.Pool; clock: { now(): Date } },
  input: { customerId: number; currency?: string | undefined; trigger: 'api' | 'cli' },
): Promise<CreditApplicationResult> {
  return inTransaction(deps.pool, async (client) => {
    const customer = (await client.query<{ currency: string }>('select currency from customers where id = $1 for share', [input.customerId])).rows[0];
    if (customer === undefined) throw notFound('customer', [{ field: 'customerId', message: `no customer with id ${input.customerId}` }]);
    return applyCustomerCredit(client, { customerId: input.customerId, currency: input.currency ?? customer.currency, trigger: input.trigger, now: deps.clock.now() });
  });
}
