import type pg from 'pg';
import type {
  Catalog,
  ChargeProperties,
  CouponInfo,
  CustomerInput,
  PlanChargeInfo,
  PlanInfo,
  SubscriptionInput,
  TaxRateInfo,
} from './types.ts';
import { billingWindow } from './calendar.ts';
import { catalogSql, shardSql, type Sql } from './load-sql.ts';
import { copyOut, inlineSql } from '../db/copy-out.ts';

type Queryable = pg.PoolClient | pg.Pool | pg.Client;

async function rows<T extends pg.QueryResultRow>(db: Queryable, sql: Sql): Promise<T[]> {
  return (await db.query<T>(sql.text, sql.values)).rows;
}

/** Loads the whole catalog (small: currencies, regions, plans, coupons) as plain data. */
export async function loadCatalog(db: Queryable, asOf: string): Promise<Catalog> {
  // Sequential: one client runs one query at a time (and inside a transaction must).
  const currencies = await rows<{ code: string; exponent: number }>(db, catalogSql.currencies());
  const regions = await rows<{ code: string; country: string; kind: string; inclusive: boolean; rates: TaxRateInfo[] }>(db, catalogSql.taxRegions(asOf));
  const entities = await rows<{ id: string; name: string; country: string; tax_region: string; number_prefix: string }>(db, catalogSql.legalEntities());
  const products = await rows<{ id: string; name: string; tax_exempt: boolean }>(db, catalogSql.products());
  const plans = await rows<{ id: string; name: string; trial_days: number }>(db, catalogSql.plans());
  const charges = await rows<{
    id: string; plan_id: string; product_id: string; product_name: string; tax_exempt: boolean;
    metric_code: string | null; aggregation: 'sum' | 'max' | 'unique_count' | null; charge_model: string;
    position: number; prices: Record<string, ChargeProperties>;
  }>(db, catalogSql.charges());
  const coupons = await rows<{ id: string; name: string; kind: 'percentage' | 'fixed'; percent: string | null; amount_minor: number | null; currency: string | null; duration_periods: number | null }>(db, catalogSql.coupons());
  const planMap = new Map<string, PlanInfo>();
  for (const p of plans) planMap.set(p.id, { id: p.id, name: p.name, trialDays: p.trial_days, charges: [] });
  for (const c of charges) {
    const charge: PlanChargeInfo = {
      id: c.id,
      productId: c.product_id,
      productName: c.product_name,
      taxExempt: c.tax_exempt,
      metricCode: c.metric_code,
      aggregation: c.aggregation,
      position: c.position,
      prices: new Map(Object.entries(c.prices).map(([cur, props]) => [cur, { ...props, model: c.charge_model } as ChargeProperties])),
    };
    planMap.get(c.plan_id)?.charges.push(charge);
  }
  return {
    currencies: new Map(currencies.map((c) => [c.code, { code: c.code, exponent: c.exponent }])),
    taxRegions: new Map(
      regions.map((r) => [r.code, { code: r.code, country: r.country, kind: r.kind as never, inclusive: r.inclusive, rates: r.rates }]),
    ),
    legalEntities: new Map(
      entities.map((e) => [e.id, { id: e.id, name: e.name, country: e.country, taxRegion: e.tax_region, numberPrefix: e.number_prefix }]),
    ),
    plans: planMap,
    coupons: new Map(
      coupons.map((c): [string, CouponInfo] => [
        c.id,
        { id: c.id, name: c.name, kind: c.kind, percent: c.percent, amountMinor: c.amount_minor, currency: c.currency, durationPeriods: c.duration_periods },
      ]),
    ),
    products: new Map(products.map((p) => [p.id, { id: p.id, name: p.name, taxExempt: p.tax_exempt }])),
  };
}

/**
 * Most customers have no loans, no coupons…: they all share one frozen empty array (a push into
 * it would throw) instead of five new arrays each, which was a tenth of the loader's garbage.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

function append<T>(list: T[], item: T): T[] {
  if (list === NONE) return [item];
  list.push(item);
  return list;
}

/** The anchors the SQL windows exist for (the column's check constraint allows no others). */
function validAnchor(day: number): boolean {
  return Number.isInteger(day) && day >= 1 && day <= 31;
}

const byId_ = (a: { id: number }, b: { id: number }) => a.id - b.id;
/** started_on, then id: ISO dates compare as strings. */
const bySubscriptionOrder = (a: SubscriptionInput, b: SubscriptionInput) =>
  a.startedOn < b.startedOn ? -1 : a.startedOn > b.startedOn ? 1 : a.id - b.id;

function sortIfNeeded<T>(list: T[], compare: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    if (compare(list[i - 1]!, list[i]!) > 0) {
      list.sort(compare);
      return;
    }
  }
}

export interface ShardInput {
  customers: CustomerInput[];
  /** Customers that already have an invoice for (period, source): the block-duplicates stage. */
  alreadyInvoiced: Set<number>;
}

/**
 * Loads every input of the customers with from ≤ id ≤ to, inside the shard's transaction. Each
 * query runs as COPY TO STDOUT and is read field by field (db/copy-out.ts): the columns read
 * here are the columns its load-sql.ts query selects, in order.
 */
export async function loadShard(
  db: pg.PoolClient,
  range: { from: number; to: number },
  period: string,
  nextPeriod: string,
  source: string,
): Promise<ShardInput> {
  const { from, to } = range;
  // Sequential on one client: a transaction's queries cannot run in parallel anyway.
  const byId = new Map<number, CustomerInput>();
  const customers: CustomerInput[] = [];
  let r = await copyOut(db, inlineSql(shardSql.customers(from, to)));
  while (r.more()) {
    const c: CustomerInput = {
      id: r.int(), name: r.text(), currency: r.atom(), country: r.atom(), taxRegion: r.atomOrNull(), locale: r.atom(),
      legalEntityId: r.atom(), status: r.atom() as CustomerInput['status'], billingAnchorDay: r.int(),
      subscriptions: NONE, usage: NONE, loans: NONE, oneOffs: NONE, coupons: NONE,
    };
    r.endRow();
    byId.set(c.id, c);
    customers.push(c);
  }
  r = await copyOut(db, inlineSql(shardSql.subscriptions(from, to, period, nextPeriod)));
  while (r.more()) {
    const customer = byId.get(r.int());
    const sub = { id: r.int(), planId: r.atom(), startedOn: r.date(), trialEndsOn: r.dateOrNull(), endedOn: r.dateOrNull() };
    r.endRow();
    // The query returns every subscription that overlaps any anchor's window; keep the ones that
    // overlap this customer's: started before its end, not ended by its start.
    if (customer === undefined || !validAnchor(customer.billingAnchorDay)) continue;
    const window = billingWindow(period, customer.billingAnchorDay);
    if (sub.startedOn < window.end && (sub.endedOn === null || sub.endedOn > window.start)) {
      customer.subscriptions = append(customer.subscriptions, sub);
    }
  }
  r = await copyOut(db, inlineSql(shardSql.usage(from, to, period, nextPeriod)));
  while (r.more()) {
    const customer = byId.get(r.int());
    const usage = { metricCode: r.atom(), sum: r.int(), max: r.int(), uniqueCount: r.int() };
    r.endRow();
    if (customer !== undefined) customer.usage = append(customer.usage, usage);
  }
  r = await copyOut(db, inlineSql(shardSql.loans(from, to)));
  while (r.more()) {
    const customer = byId.get(r.int());
    const loan = {
      id: r.int(), currency: r.atom(), principalMinor: r.int(), annualRate: r.atom(), tenureMonths: r.int(), firstDueOn: r.date(),
      emiMinor: r.int(), lateFeeMinor: r.int(), paidInstallments: r.int(), status: r.atom() as 'active',
    };
    r.endRow();
    if (customer !== undefined) customer.loans = append(customer.loans, loan);
  }
  r = await copyOut(db, inlineSql(shardSql.oneOffs(from, to, period, nextPeriod)));
  while (r.more()) {
    const customer = byId.get(r.int());
    const item = {
      id: r.int(), kind: r.atom() as 'charge' | 'refund', productId: r.atom(), productName: r.text(), quantity: r.int(),
      unitPriceMinor: r.int(), currency: r.atom(), chargedOn: r.date(), originalPaymentId: r.intOrNull(), originalPaymentExists: r.bool(),
    };
    r.endRow();
    if (customer !== undefined) customer.oneOffs = append(customer.oneOffs, item);
  }
  r = await copyOut(db, inlineSql(shardSql.coupons(from, to)));
  while (r.more()) {
    const customer = byId.get(r.int());
    const coupon = { couponId: r.atom(), appliedFrom: r.date() };
    r.endRow();
    if (customer !== undefined) customer.coupons = append(customer.coupons, coupon);
  }
  // A customer's rows in the order of their invoice lines (the queries do not sort; see load-sql.ts).
  for (const c of customers) {
    if (c.subscriptions.length > 1) sortIfNeeded(c.subscriptions, bySubscriptionOrder);
    if (c.loans.length > 1) sortIfNeeded(c.loans, byId_);
    if (c.oneOffs.length > 1) sortIfNeeded(c.oneOffs, byId_);
  }
  const alreadyInvoiced = new Set<number>();
  r = await copyOut(db, inlineSql(shardSql.existingInvoices(from, to, period, source)));
  while (r.more()) {
    alreadyInvoiced.add(r.int());
    r.endRow();
  }
  return { customers, alreadyInvoiced };
}
