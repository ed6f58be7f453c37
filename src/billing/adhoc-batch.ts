/**
 * genBill invoices, many per transaction. createAdHocInvoice (src/billing/adhoc.ts) issues one
 * invoice per transaction, and every invoice transaction holds its numbering series' row lock
 * until it commits (numbers are gapless): that caps one-at-a-time issuing near 150 invoices/s on
 * this machine, however many requests wait. Here concurrent requests are issued together with
 * the same steps — lock customers, return an invoice that already exists for (customer, period,
 * source), record the items as one-off charges, compute, persist with COPY, queue the PDF — in
 * one transaction, so the lock, the round trips and the commit are shared by the batch.
 *
 * Each request keeps its own outcome: a missing customer (404) or an invoice that cannot be
 * issued (422) fails that request only. If the batch transaction itself fails (e.g. a unique-key
 * race with another server), every job is retried alone through createAdHocInvoice.
 * The API's genBill calls it through adhoc-batcher.ts, which groups concurrent requests.
 */
import type pg from 'pg';
import { createAdHocInvoice, type AdHocInvoice } from './adhoc.ts';
import { adHocSql } from './adhoc-sql.ts';
import { periodOf, previousPeriod, windowStart } from './calendar.ts';
import { computeInvoice } from './compute.ts';
import { loadCatalog } from './load.ts';
import { persistShard } from './persist.ts';
import type { Catalog, ComputeResult, CustomerInput, InvoiceDraft } from './types.ts';
import type { OneOffItem } from '../charges/index.ts';
import { notFound, rowToCustomer, run, type Customer } from '../customers/index.ts';
import { queueRender } from '../documents/index.ts';
import { BillflowError } from '../errors.ts';

export interface AdHocJob {
  customerId: number;
  items: OneOffItem[];
  /** 'api:…': the invoice's source, unique per (customer, period). */
  source: string;
  issueDate: string;
}

export type AdHocOutcome = { ok: true; invoice: AdHocInvoice } | { ok: false; error: unknown };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

function toInvoice(r: Row, created: boolean): AdHocInvoice {
  return {
    id: r.id, number: r.number, customerId: r.customer_id, period: r.period, currency: r.currency, subtotalMinor: r.subtotal_minor,
    discountMinor: r.discount_minor, taxMinor: r.tax_minor, totalMinor: r.total_minor, status: r.status,
    paymentStatus: r.payment_status, issueDate: r.issue_date, dueDate: r.due_date, created,
  };
}

/** The period whose billing window holds `date` for this anchor day (as adhoc.ts). */
function periodHolding(date: string, anchorDay: number): string {
  const period = periodOf(date);
  return windowStart(period, anchorDay) <= date ? period : previousPeriod(period);
}

function cannotIssue(result: Exclude<ComputeResult, { status: 'ok' }>): BillflowError {
  const reasons = result.status === 'invalid' ? result.reasons : [{ code: result.reason, message: result.reason, field: undefined }];
  return new BillflowError('invoice_invalid', `the invoice cannot be issued: ${reasons.map((r) => r.message).join('; ')}`, {
    httpStatus: 422,
    details: reasons.map((r) => ({ field: r.field ?? 'customer', message: `${r.code}: ${r.message}` })),
  });
}

function customerInput(customer: Customer, job: AdHocJob): CustomerInput {
  return {
    id: customer.id, name: customer.name, currency: customer.currency, country: customer.country, taxRegion: customer.taxRegion,
    locale: customer.locale, legalEntityId: customer.legalEntityId, status: customer.status, billingAnchorDay: customer.billingAnchorDay,
    subscriptions: [], usage: [], loans: [], coupons: [],
    oneOffs: job.items.map((item, i) => ({
      id: i + 1, kind: 'charge', productId: item.productId, productName: item.productName, quantity: item.quantity,
      unitPriceMinor: item.price, currency: customer.currency, chargedOn: job.issueDate, originalPaymentId: null, originalPaymentExists: false,
    })),
  };
}

interface Pending {
  index: number;
  job: AdHocJob;
  customer: Customer;
  period: string;
}

/** Everything of the batch that happens inside its transaction; fills `outcomes`. */
async function issueInTransaction(client: pg.PoolClient, jobs: AdHocJob[], netTermsDays: number, outcomes: AdHocOutcome[]): Promise<void> {
  const ids = [...new Set(jobs.map((j) => j.customerId))].sort((a, b) => a - b);
  const customers = new Map<number, Customer>();
  for (const row of (await run<Row>(client, adHocSql.lockCustomers(ids))).rows) {
    customers.set(row.id, rowToCustomer(row as Parameters<typeof rowToCustomer>[0]));
  }
  const pending: Pending[] = [];
  jobs.forEach((job, index) => {
    const customer = customers.get(job.customerId);
    if (customer === undefined) outcomes[index] = { ok: false, error: notFound('customer', [{ field: 'customerId', message: `no customer with id ${job.customerId}` }]) };
    else pending.push({ index, job, customer, period: periodHolding(job.issueDate, customer.billingAnchorDay) });
  });
  const keyOf = (customerId: number, period: string, source: string) => `${customerId}\u0000${period}\u0000${source}`;
  const existing = new Map<string, AdHocInvoice>();
  const found = await run<Row>(client, adHocSql.existingInvoices(pending.map((p) => p.customer.id), pending.map((p) => p.period), pending.map((p) => p.job.source)));
  for (const row of found.rows) existing.set(keyOf(row.customer_id, row.period, row.source), toInvoice(row, false));
  const catalogs = new Map<string, Catalog>();
  const toIssue: { p: Pending; draft: InvoiceDraft }[] = [];
  const firstOfKey = new Map<string, Pending>();
  for (const p of pending) {
    const key = keyOf(p.customer.id, p.period, p.job.source);
    const already = existing.get(key);
    if (already) {
      outcomes[p.index] = { ok: true, invoice: already };
      continue;
    }
    if (firstOfKey.has(key)) continue; // the same request twice in one batch: answered from the first below
    firstOfKey.set(key, p);
    let catalog = catalogs.get(p.job.issueDate);
    if (catalog === undefined) catalogs.set(p.job.issueDate, (catalog = await loadCatalog(client, p.job.issueDate)));
    const result = computeInvoice(customerInput(p.customer, p.job), { catalog, period: p.period, issueDate: p.job.issueDate, netTermsDays });
    if (result.status !== 'ok') outcomes[p.index] = { ok: false, error: cannotIssue(result) };
    else {
      result.invoice.source = p.job.source;
      toIssue.push({ p, draft: result.invoice });
    }
  }
  if (toIssue.length === 0) return;
  await run(client, adHocSql.insertOneOffs(toIssue.flatMap(({ p }) => p.job.items.map((item) => ({
    customerId: p.customer.id, productId: item.productId, productName: item.productName, quantity: item.quantity,
    unitPriceMinor: item.price, currency: p.customer.currency, chargedOn: p.job.issueDate, invoiceSource: p.job.source,
  })))));
  const first = toIssue[0]!;
  const outcome = await persistShard(client, {
    runId: null, period: first.p.period, source: first.p.job.source, range: { from: first.p.customer.id, to: first.p.customer.id },
    results: toIssue.map(({ draft }) => ({ status: 'ok', invoice: draft })), legalEntities: catalogs.get(first.p.job.issueDate)!.legalEntities,
  });
  const invoiceIds = outcome.issued.map((i) => i.id);
  await queueRender(client, { invoiceIds }); // their PDFs, rendered by a worker
  const created = new Map<number, AdHocInvoice>();
  for (const row of (await run<Row>(client, adHocSql.invoicesByIds(invoiceIds))).rows) {
    created.set(row.id, toInvoice(row, true));
  }
  toIssue.forEach(({ p }, i) => (outcomes[p.index] = { ok: true, invoice: created.get(invoiceIds[i]!)! }));
  for (const p of pending) {
    if (outcomes[p.index] !== undefined) continue;
    const winner = outcomes[firstOfKey.get(keyOf(p.customer.id, p.period, p.job.source))!.index]!;
    outcomes[p.index] = winner.ok ? { ok: true, invoice: { ...winner.invoice, created: false } } : winner;
  }
}

/** Issues the jobs' invoices in one transaction; one outcome per job, in order. */
export async function createAdHocInvoices(deps: { db: pg.Pool; netTermsDays: number }, jobs: AdHocJob[]): Promise<AdHocOutcome[]> {
  const { db, netTermsDays } = deps;
  const outcomes: AdHocOutcome[] = new Array(jobs.length);
  const client = await db.connect();
  let failed = false;
  try {
    await client.query('begin');
    await issueInTransaction(client, jobs, netTermsDays, outcomes);
    await client.query('commit');
  } catch {
    await client.query('rollback').catch(() => undefined);
    failed = true;
  } finally {
    client.release();
  }
  if (!failed) return outcomes;
  // One job's race or fault must not fail the others: each again, alone, through the library.
  return Promise.all(jobs.map(async (job) => {
    try {
      const invoice = await createAdHocInvoice({ db, netTermsDays }, { customerId: job.customerId, items: job.items, source: job.source, issueDate: job.issueDate });
      return { ok: true as const, invoice };
    } catch (error) {
      return { ok: false as const, error };
    }
  }));
}
