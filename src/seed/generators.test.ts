import { test } from 'node:test';
import assert from 'node:assert/strict';
import { billingWindow as calendarWindow, windowStart } from '../billing/calendar.ts';
import type { LoanInput } from '../billing/types.ts';
import { computeEmiMinor, installmentsDueIn, overdueInstallments } from '../loans/emi.ts';
import { exponentOf } from '../money/currencies.ts';
import { billingWindow, DayFormatter, addMonthsToPeriod, formatPeriod, parsePeriod } from './calendar.ts';
import { MAIN_CURRENCIES, PLANS, planById, planMetrics } from './catalog.ts';
import { ChunkGenerator, type GeneratorConfig } from './chunk-generator.ts';
import { generateCustomer, MISSING_TAX_REGION_SHARE, SEGMENTS } from './customer.ts';
import { MARKETS } from './geography.ts';
import { OVERDUE_SHARE } from './lender.ts';
import { createContext, type Row, type SeedTable, TABLE_COLUMNS } from './rows.ts';

const PERIOD = '2026-11';
const SEED = 11;
const COUNT = 20_000;

type Obj = Record<string, unknown>;

function objects(table: SeedTable, rows: Row[]): Obj[] {
  const cols = TABLE_COLUMNS[table];
  return rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])));
}

function groupBy(rows: Obj[], key: string): Map<unknown, Obj[]> {
  const out = new Map<unknown, Obj[]>();
  for (const r of rows) {
    const list = out.get(r[key]) ?? [];
    list.push(r);
    out.set(r[key], list);
  }
  return out;
}

// One in-process dataset shared by the tests below (rows kept as arrays, never encoded).
const ctx = createContext(SEED, parsePeriod(PERIOD), { subscriptions: 0, loans: 0, payments: 0, one_off_charges: 0, usage_events: 0 });
for (let id = 1; id <= COUNT; id++) generateCustomer(ctx, id);
const customers = objects('customers', ctx.rows.customers);
const customerById = new Map(customers.map((c) => [c.id, c]));
const subscriptions = objects('subscriptions', ctx.rows.subscriptions);
const usage = objects('usage_events', ctx.rows.usage_events);
const loans = objects('loans', ctx.rows.loans);
const oneOffs = objects('one_off_charges', ctx.rows.one_off_charges);
const payments = objects('payments', ctx.rows.payments);

function windowOf(customerId: unknown): { start: string; end: string } {
  const c = customerById.get(customerId);
  assert.ok(c, `customer ${String(customerId)}`);
  return calendarWindow(PERIOD, c.billing_anchor_day as number);
}

test('windows match billing/calendar (and so SQL billflow_window_start) for every anchor', () => {
  const days = new DayFormatter();
  for (let m = 0; m < 24; m++) {
    const p = addMonthsToPeriod(parsePeriod('2025-01'), m);
    for (let anchor = 1; anchor <= 31; anchor++) {
      const w = billingWindow(p, anchor);
      assert.equal(days.format(w.startDay), windowStart(formatPeriod(p), anchor));
      assert.deepEqual({ start: days.format(w.startDay), end: days.format(w.endDay) }, calendarWindow(formatPeriod(p), anchor));
    }
  }
});

test('segment mix is close to 40/30/15/15 and every segment is labelled', () => {
  for (const [segment, share] of SEGMENTS.shares()) {
    const n = customers.filter((c) => c.segment === segment).length;
    assert.ok(Math.abs(n / COUNT - share) < 0.02, `${segment}: ${n}`);
  }
});

test('currency, country, tax region, entity and locale agree for every customer', () => {
  let missing = 0;
  const currencies = new Set<unknown>();
  for (const c of customers) {
    const market = MARKETS[c.country as string];
    assert.ok(market, `market for ${String(c.country)}`);
    assert.equal(c.currency, market.currency);
    assert.equal(c.legal_entity_id, market.entityId);
    assert.ok(market.locales.shares().has(c.locale as string), `locale ${String(c.locale)}`);
    if (c.tax_region === null) missing++;
    else assert.ok(market.regions.shares().has(c.tax_region as string), `${String(c.tax_region)} in ${market.country}`);
    if (c.currency === 'INR') assert.match(String(c.tax_region ?? 'IN-'), /^IN-/);
    currencies.add(c.currency);
  }
  for (const code of [...MAIN_CURRENCIES, 'KWD']) assert.ok(currencies.has(code), code);
  assert.ok(missing > 0 && missing < COUNT * MISSING_TAX_REGION_SHARE * 3, `missing tax regions: ${missing}`);
});

test('e-mails are unique, carry the seed and id, and use reserved domains', () => {
  const emails = new Set(customers.map((c) => c.email));
  assert.equal(emails.size, COUNT);
  for (const c of customers.slice(0, 2000)) {
    assert.match(String(c.email), new RegExp(`^[a-z0-9.-]+\\.${SEED}\\.${String(c.id)}@example\\.(com|net|org)$`));
    assert.match(String(c.phone), /^\+\d{9,14}$/);
    assert.ok(c.whatsapp === null || /^\+\d{9,14}$/.test(String(c.whatsapp)));
  }
  const locales = new Set(customers.map((c) => c.locale));
  for (const l of ['en', 'fr', 'de', 'es', 'hi', 'ja']) assert.ok(locales.has(l), l);
  assert.ok(customers.some((c) => c.billing_anchor_day !== 1) && customers.filter((c) => c.billing_anchor_day === 1).length > COUNT * 0.7);
});

test('usage: 3–8 events per metered customer, inside the window, unique transaction ids, every metric covered', () => {
  const subsByCustomer = groupBy(subscriptions, 'customer_id');
  for (const [customerId, events] of groupBy(usage, 'customer_id')) {
    assert.ok(events.length >= 3 && events.length <= 8, `customer ${String(customerId)}: ${events.length} events`);
    const ids = new Set(events.map((e) => e.transaction_id));
    assert.equal(ids.size, events.length);
    const w = windowOf(customerId);
    for (const e of events) {
      const day = String(e.occurred_at).slice(0, 10);
      assert.ok(day >= w.start && day < w.end, `${day} outside ${w.start}..${w.end}`);
      if (e.metric_code === 'active_users') assert.match(String(e.unique_key), /^user-\d\d$/);
      else assert.equal(e.unique_key, null);
    }
    const metrics = new Set(events.map((e) => e.metric_code));
    for (const s of subsByCustomer.get(customerId) ?? []) {
      // Both plans of a mid-period change meter: events cover the union.
      for (const m of planMetrics(planById(s.plan_id as string))) assert.ok(metrics.has(m), `customer ${String(customerId)} lacks ${m}`);
    }
  }
});

test('subscriptions: prices exist for the currency, plan changes chain, trials and mid-period starts and cancels occur', () => {
  const byId = new Map(subscriptions.map((s) => [s.id, s]));
  let changes = 0;
  let trials = 0;
  let starts = 0;
  let cancels = 0;
  for (const s of subscriptions) {
    const plan = planById(s.plan_id as string);
    const c = customerById.get(s.customer_id);
    assert.ok(plan.currencies.includes(c?.currency as never), `${plan.id} has no ${String(c?.currency)} price`);
    const w = windowOf(s.customer_id);
    if (s.previous_id !== null) {
      const prev = byId.get(s.previous_id);
      assert.ok(prev && prev.ended_on === s.started_on && prev.customer_id === s.customer_id && prev.plan_id !== s.plan_id);
      changes++;
    }
    if (s.trial_ends_on !== null && String(s.trial_ends_on) > w.start) trials++;
    if (String(s.started_on) > w.start) starts++;
    if (s.ended_on !== null) {
      assert.ok(String(s.ended_on) > w.start && String(s.ended_on) < w.end);
      cancels++;
    }
  }
  for (const [name, n] of Object.entries({ changes, trials, starts, cancels })) assert.ok(n > 100, `${name}: ${n}`);
});

test('loans: an installment falls due in the period, ~15% are overdue, EMI by the amortization formula', () => {
  let overdue = 0;
  for (const l of loans) {
    const w = windowOf(l.customer_id);
    const loan: LoanInput = {
      id: l.id as number, currency: l.currency as string, principalMinor: l.principal_minor as number,
      annualRate: l.annual_rate as string, tenureMonths: l.tenure_months as number, firstDueOn: l.first_due_on as string,
      emiMinor: l.emi_minor as number, lateFeeMinor: l.late_fee_minor as number, paidInstallments: l.paid_installments as number,
      status: 'active',
    };
    assert.ok(loan.firstDueOn < w.start, 'first_due_on before the period');
    assert.equal(installmentsDueIn(loan, w).length, 1);
    assert.equal(loan.emiMinor, computeEmiMinor(loan.principalMinor, loan.annualRate, loan.tenureMonths));
    assert.ok(Number(loan.annualRate) >= 9 && Number(loan.annualRate) <= 24);
    assert.ok(loan.tenureMonths >= 12 && loan.tenureMonths <= 60 && loan.lateFeeMinor > 0);
    if (overdueInstallments(loan, w.start).length > 0) overdue++;
  }
  assert.ok(Math.abs(overdue / loans.length - OVERDUE_SHARE) < 0.02, `overdue share ${overdue / loans.length}`);
});

test('one-off charges: inside the window, refunds point at the customer payment, a few have none', () => {
  const paymentById = new Map(payments.map((p) => [p.id, p]));
  let orphans = 0;
  let refunds = 0;
  for (const o of oneOffs) {
    const w = windowOf(o.customer_id);
    assert.ok(String(o.charged_on) >= w.start && String(o.charged_on) < w.end);
    assert.equal(o.currency, customerById.get(o.customer_id)?.currency);
    assert.ok(Number.isSafeInteger(o.unit_price_minor) && (o.quantity as number) >= 1);
    if (o.kind === 'refund') {
      refunds++;
      assert.ok((o.unit_price_minor as number) < 0);
      if (o.original_payment_id === null) orphans++;
      else assert.equal(paymentById.get(o.original_payment_id)?.customer_id, o.customer_id);
    } else assert.ok((o.unit_price_minor as number) > 0);
  }
  assert.ok(refunds > 50 && orphans >= 1 && orphans < COUNT * 0.004, `refunds ${refunds}, orphans ${orphans}`);
  for (const [customerId, items] of groupBy(oneOffs.filter((o) => o.kind === 'charge'), 'customer_id')) {
    if (customerById.get(customerId)?.segment === 'retail') assert.ok(items.length >= 1 && items.length <= 12);
  }
});

test('expected invoice lines average at least 4 per billed customer', () => {
  const t = ctx.tallies;
  // Everyone is billed except customers still in a trial for the whole window (~1.3%).
  assert.ok(t.billedCustomers < COUNT && t.billedCustomers > COUNT * 0.97, String(t.billedCustomers));
  assert.ok(t.expectedLines / t.billedCustomers >= 4, `${t.expectedLines / t.billedCustomers}`);
});

test('plan prices have the ChargeProperties shape of billing/types.ts, in whole minor units', () => {
  for (const plan of PLANS) {
    for (const charge of plan.charges) {
      for (const currency of plan.currencies) {
        const p = charge.properties(currency);
        assert.equal(p.model, charge.model);
        const amounts: number[] = [];
        if (p.model === 'flat') amounts.push(p.amount);
        if (p.model === 'per_unit') amounts.push(p.unitAmount);
        if (p.model === 'package') amounts.push(p.amount, p.packageSize, p.freeUnits);
        if (p.model === 'percentage') {
          amounts.push(p.fixedAmount);
          assert.match(p.rate, /^\d+(\.\d+)?$/);
        }
        if (p.model === 'graduated' || p.model === 'volume') {
          assert.equal(p.tiers.at(-1)?.upTo, null);
          for (const tier of p.tiers) amounts.push(tier.unitAmount, tier.flatAmount);
        }
        for (const a of amounts) assert.ok(Number.isSafeInteger(a) && a >= 0, `${charge.id} ${currency}: ${a}`);
      }
    }
  }
  assert.equal(exponentOf('JPY'), 0);
  const base = planById('saas_scale').charges[0]?.properties('KWD');
  assert.deepEqual(base, { model: 'flat', amount: 92_000 }); // KWD has three decimals
  const models = new Set(PLANS.flatMap((p) => p.charges.map((c) => c.model)));
  assert.deepEqual([...models].sort(), ['flat', 'graduated', 'package', 'per_unit', 'percentage', 'volume']);
});

test('chunked generation is deterministic and independent of the chunk size', () => {
  const config = (seed: number, chunkSize: number): GeneratorConfig => ({
    seed, period: parsePeriod(PERIOD), firstCustomerId: 501, count: 2500, chunkSize,
    lastId: { customers: 500, subscriptions: 40, loans: 7, payments: 3, one_off_charges: 9, usage_events: 100 },
  });
  const concat = (c: GeneratorConfig): Map<string, string> => {
    const gen = new ChunkGenerator(c);
    const out = new Map<string, string>();
    const decoder = new TextDecoder();
    for (let chunk = gen.next(); chunk; chunk = gen.next()) {
      for (const [table, bytes] of Object.entries(chunk.tables)) out.set(table, (out.get(table) ?? '') + decoder.decode(bytes));
    }
    return out;
  };
  const a = concat(config(5, 1000));
  assert.deepEqual(concat(config(5, 700)), a);
  assert.notDeepEqual(concat(config(6, 1000)).get('customers'), a.get('customers'));
  assert.match(a.get('subscriptions') ?? '', /^41\t501\t/); // ids continue after lastId
});
