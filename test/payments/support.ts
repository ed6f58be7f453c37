/** Payments test support: customers with sandbox test data, invoices for them, and charge counts at the sandbox. */
import type pg from 'pg';
import { createCustomer } from '../../src/customers/index.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';
import { paymentsSettingsSchema, type PaymentsSettings } from '../../src/payments/index.ts';
import { silentLog } from '../../src/log.ts';
import { createProvider } from '../../src/payments/index.ts';

export function settings(over: Record<string, unknown> = {}): PaymentsSettings {
  return paymentsSettingsSchema.parse({ janitorChecksMs: [0], callTimeoutMs: 1_000, ...over, sandbox: { honourIdempotencyKeys: false, ...(over.sandbox as object) } });
}

export class TestClock {
  constructor(public time = new Date('2026-12-02T09:00:00Z')) {}
  now(): Date {
    return new Date(this.time);
  }
  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
}

export function deps(pool: pg.Pool, s: PaymentsSettings, clock: { now(): Date } = { now: () => new Date() }) {
  return { pool, provider: createProvider(pool, s), log: silentLog, settings: s, clock };
}

let seq = 0;
/** A customer (INR, Karnataka) with optional sandbox test data and one invoice of 899.00 + IGST. */
export async function customerWithInvoice(pool: pg.Pool, sandbox: string | null, tag = 'c'): Promise<{ customerId: number; invoiceId: number; totalMinor: number }> {
  seq++;
  const c = await createCustomer({ db: pool }, {
    name: `Payer ${tag} ${seq}`, email: `payer-${tag}-${seq}-${process.pid}@example.com`, currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in',
    ...(sandbox ? { metadata: { sandbox } } : {}),
  });
  const inv = await createAdHocInvoice({ db: pool }, { customerId: c.id, items: [{ productId: 'P1', quantity: 1, price: 89900, productName: 'Shirt' }], source: `api:${tag}-${seq}` });
  return { customerId: c.id, invoiceId: inv.id, totalMinor: inv.totalMinor };
}

/** The proof of "never charged twice": charges per key and succeeded charges per invoice, at the sandbox. */
export async function doubleCharges(pool: pg.Pool): Promise<{ perKey: number; perInvoice: number; paidTwice: number }> {
  const q = async (sql: string) => Number((await pool.query(sql)).rows[0].n);
  return {
    perKey: await q(`select count(*) as n from (select idempotency_key from sandbox_charges where kind = 'charge' group by 1 having count(*) > 1) d`),
    perInvoice: await q(`select count(*) as n from (select reference from sandbox_charges where kind = 'charge' and status = 'succeeded' group by 1 having count(*) > 1) d`),
    paidTwice: await q(`select count(*) as n from (select invoice_id from payments where kind = 'charge' group by 1 having count(*) > 1) d`),
  };
}

/** Every succeeded sandbox charge has its invoice paid (nothing charged and forgotten). */
export async function chargedButNotPaid(pool: pg.Pool): Promise<number> {
  return Number((await pool.query(`select count(*) as n from sandbox_charges s join invoices i on i.id = s.reference::bigint
    where s.kind = 'charge' and s.status = 'succeeded' and i.payment_status <> 'paid'`)).rows[0].n);
}
