import type pg from 'pg';
import { z } from 'zod';
import { BillflowError } from '../errors.ts';
import { lockCustomer, parseInput, recordIdSchema } from '../customers/index.ts';
import { oneOffItemSchema, MAX_ITEMS_PER_CALL } from '../charges/index.ts';
import { periodOf, previousPeriod, windowStart } from './calendar.ts';
import { computeInvoice } from './compute.ts';
import { loadCatalog } from './load.ts';
import { persistShard } from './persist.ts';
import { queueRender } from '../documents/index.ts';
import type { CustomerInput } from './types.ts';

/**
 * An invoice on demand (the genBill case): one-off items billed at once on their own invoice,
 * through the same compute, validation, numbering, persist and outbox as a run's invoices.
 * Idempotent per (customer, period, source): the API passes source 'api:<Idempotency-Key>', and
 * a second call with the same source returns the first invoice instead of making another.
 */
export const adHocInvoiceSchema = z.strictObject({
  customerId: recordIdSchema,
  items: z.array(oneOffItemSchema).min(1, { error: 'at least one item' }).max(MAX_ITEMS_PER_CALL, { error: `at most ${MAX_ITEMS_PER_CALL} items` }),
  source: z.string().min(1).max(200),
  issueDate: z.iso.date().optional(),
});
export type AdHocInvoiceInput = z.input<typeof adHocInvoiceSchema>;

export interface AdHocInvoice {
  id: number;
  number: string;
  customerId: number;
  period: string;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  status: string;
  paymentStatus: string;
  issueDate: string;
  dueDate: string;
  created: boolean;
}

const invoiceSelect = `select id, number, customer_id, period, currency, subtotal_minor, discount_minor, tax_minor,
  total_minor, status, payment_status, issue_date, due_date from invoices`;

function toInvoice(r: Record<string, unknown>, created: boolean): AdHocInvoice {
  return {
    id: r.id as number, number: r.number as string, customerId: r.customer_id as number, period: r.period as string,
    currency: r.currency as string, subtotalMinor: r.subtotal_minor as number, discountMinor: r.discount_minor as number,
    taxMinor: r.tax_minor as number, totalMinor: r.total_minor as number, status: r.status as string,
    paymentStatus: r.payment_status as string, issueDate: r.issue_date as string, dueDate: r.due_date as string, created,
  };
}

/** The period whose billing window holds `date` for this anchor day. */
function periodHolding(date: string, anchorDay: number): string {
  const period = periodOf(date);
  return windowStart(period, anchorDay) <= date ? period : previousPeriod(period);
}

export async function createAdHocInvoice(
  deps: { db: pg.Pool; clock?: { now(): Date }; netTermsDays?: number },
  raw: unknown,
): Promise<AdHocInvoice> {
  const input = parseInput(adHocInvoiceSchema, raw);
  const issueDate = input.issueDate ?? (deps.clock?.now() ?? new Date()).toISOString().slice(0, 10);
  const client = await deps.db.connect();
  try {
    await client.query('begin');
    const customer = await lockCustomer(client, input.customerId);
    const period = periodHolding(issueDate, customer.billingAnchorDay);
    const existing = await client.query(`${invoiceSelect} where customer_id = $1 and period = $2 and source = $3`, [customer.id, period, input.source]);
    if (existing.rows[0]) {
      await client.query('rollback');
      return toInvoice(existing.rows[0], false);
    }
    const inserted = await client.query<{ id: number }>(
      `insert into one_off_charges (customer_id, product_id, product_name, quantity, unit_price_minor, currency, charged_on, invoice_source)
       select $1, p, n, q, u, $2, $3, $4 from unnest($5::text[], $6::text[], $7::bigint[], $8::bigint[]) as t(p, n, q, u)
       returning id`,
      [customer.id, customer.currency, issueDate, input.source, input.items.map((i) => i.productId), input.items.map((i) => i.productName),
        input.items.map((i) => i.quantity), input.items.map((i) => i.price)],
    );
    const catalog = await loadCatalog(client, issueDate);
    const customerInput: CustomerInput = {
      id: customer.id, name: customer.name, currency: customer.currency, country: customer.country, taxRegion: customer.taxRegion,
      locale: customer.locale, legalEntityId: customer.legalEntityId, status: customer.status, billingAnchorDay: customer.billingAnchorDay,
      subscriptions: [], usage: [], loans: [], coupons: [],
      oneOffs: input.items.map((item, i) => ({
        id: inserted.rows[i]!.id, kind: 'charge', productId: item.productId, productName: item.productName, quantity: item.quantity,
        unitPriceMinor: item.price, currency: customer.currency, chargedOn: issueDate, originalPaymentId: null, originalPaymentExists: false,
      })),
    };
    const result = computeInvoice(customerInput, { catalog, period, issueDate, netTermsDays: deps.netTermsDays ?? 15 });
    if (result.status !== 'ok') {
      const reasons = result.status === 'invalid' ? result.reasons : [{ code: result.reason, message: result.reason }];
      throw new BillflowError('invoice_invalid', `the invoice cannot be issued: ${reasons.map((r) => r.message).join('; ')}`, {
        httpStatus: 422,
        details: reasons.map((r) => ({ field: r.field ?? 'customer', message: `${r.code}: ${r.message}` })),
      });
    }
    result.invoice.source = input.source;
    const outcome = await persistShard(client, {
      runId: null, period, source: input.source, range: { from: customer.id, to: customer.id }, results: [result],
      legalEntities: catalog.legalEntities,
    });
    await queueRender(client, { invoiceIds: outcome.issued.map((i) => i.id) }); // its PDF, rendered by a worker
    const created = await client.query(`${invoiceSelect} where id = $1`, [outcome.issued[0]!.id]);
    await client.query('commit');
    return toInvoice(created.rows[0]!, true);
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    // Two identical requests at once: the loser of the unique key returns the winner's invoice.
    if ((error as { code?: string }).code === '23505' && String((error as { constraint?: string }).constraint).includes('customer_id_period_source')) {
      return createAdHocInvoice(deps, raw);
    }
    throw error;
  } finally {
    client.release();
  }
}

