/**
 * The rows one chunk of seeded customers produces, per table, in COPY column order, plus the
 * id counters and tallies the generator carries from chunk to chunk.
 */
import type { CopyCell } from '../db/copy.ts';
import { type BillingWindow, DayFormatter, billingWindow, type Period } from './calendar.ts';

export type Row = CopyCell[];

export const TABLE_COLUMNS = {
  customers: [
    'id', 'external_id', 'name', 'email', 'phone', 'whatsapp', 'currency', 'country', 'tax_region', 'locale',
    'legal_entity_id', 'status', 'billing_anchor_day', 'segment', 'created_at', 'collection_method',
  ],
  subscriptions: ['id', 'customer_id', 'plan_id', 'started_on', 'trial_ends_on', 'ended_on', 'previous_id', 'created_at'],
  customer_coupons: ['customer_id', 'coupon_id', 'applied_from'],
  loans: [
    'id', 'customer_id', 'currency', 'principal_minor', 'annual_rate', 'tenure_months', 'first_due_on', 'emi_minor',
    'late_fee_minor', 'paid_installments', 'status', 'created_at',
  ],
  payments: ['id', 'customer_id', 'currency', 'amount_minor', 'received_at', 'external_ref'],
  one_off_charges: [
    'id', 'customer_id', 'kind', 'product_id', 'product_name', 'quantity', 'unit_price_minor', 'currency', 'charged_on',
    'original_payment_id', 'created_at',
  ],
  usage_events: ['id', 'customer_id', 'metric_code', 'occurred_at', 'value', 'unique_key', 'transaction_id'],
} as const satisfies Record<string, readonly string[]>;

export type SeedTable = keyof typeof TABLE_COLUMNS;

/** Parents before children: a chunk's COPYs run in this order inside one transaction. */
export const TABLE_ORDER: readonly SeedTable[] = [
  'customers', 'subscriptions', 'customer_coupons', 'loans', 'payments', 'one_off_charges', 'usage_events',
];

/** Tables whose ids the seed assigns explicitly (identity columns, sequence set afterwards). */
export const ID_TABLES = ['customers', 'subscriptions', 'loans', 'payments', 'one_off_charges', 'usage_events'] as const;
export type IdTable = (typeof ID_TABLES)[number];

export type ChunkRows = Record<SeedTable, Row[]>;

export function emptyChunk(): ChunkRows {
  return {
    customers: [], subscriptions: [], customer_coupons: [], loans: [], payments: [], one_off_charges: [], usage_events: [],
  };
}

export interface SeedTallies {
  bySegment: Record<string, number>;
  byCurrency: Record<string, number>;
  /** Invoice lines the period's billing run should produce (each generator returns its count). */
  expectedLines: number;
  billedCustomers: number;
}

/** Mutable state threaded through generation: last ids used and the running tallies. */
export interface GenContext {
  seed: number;
  period: Period;
  periodCompact: string; // '202611', part of usage transaction ids
  days: DayFormatter;
  windows: BillingWindow[]; // by anchor day 1..31
  lastId: Record<Exclude<IdTable, 'customers'>, number>;
  rows: ChunkRows;
  tallies: SeedTallies;
  customerCoupons: number;
}

export function createContext(seed: number, period: Period, lastId: GenContext['lastId']): GenContext {
  const windows: BillingWindow[] = [];
  for (let anchor = 1; anchor <= 31; anchor++) windows[anchor] = billingWindow(period, anchor);
  return {
    seed,
    period,
    periodCompact: `${period.year}${String(period.month).padStart(2, '0')}`,
    days: new DayFormatter(),
    windows,
    lastId: { ...lastId },
    rows: emptyChunk(),
    tallies: { bySegment: {}, byCurrency: {}, expectedLines: 0, billedCustomers: 0 },
    customerCoupons: 0,
  };
}

export function windowFor(ctx: GenContext, anchorDay: number): BillingWindow {
  const w = ctx.windows[anchorDay];
  if (!w) throw new Error(`no window for anchor day ${anchorDay}`);
  return w;
}

export function nextId(ctx: GenContext, table: Exclude<IdTable, 'customers'>): number {
  return ++ctx.lastId[table];
}
