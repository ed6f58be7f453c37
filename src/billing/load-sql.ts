/**
 * SQL for the load stage of a shard. Each function returns {text, values} and runs nothing.
 * Billing windows per customer come from billflow_window_start(period, anchor) (migration 0001),
 * the same rule as calendar.billingWindow().
 */
export interface Sql {
  text: string;
  values: unknown[];
}

export const catalogSql = {
  currencies: (): Sql => ({ text: 'select code, exponent from currencies', values: [] }),
  /** Tax components in force on `asOf`: the latest effective row per (region, name, scope). */
  taxRegions: (asOf: string): Sql => ({
    text: `select r.code, r.country, r.kind, r.inclusive,
             coalesce(json_agg(json_build_object('name', t.name, 'ratePercent', t.rate::text, 'scope', t.scope)
               order by t.id) filter (where t.id is not null), '[]') as rates
           from tax_regions r
           left join (select distinct on (region_code, name, scope) * from tax_rates
                      where effective_from <= $1::date
                      order by region_code, name, scope, effective_from desc) t on t.region_code = r.code
           group by r.code, r.country, r.kind, r.inclusive`,
    values: [asOf],
  }),
  legalEntities: (): Sql => ({
    text: 'select id, name, country, tax_region, number_prefix from legal_entities',
    values: [],
  }),
  products: (): Sql => ({ text: 'select id, name, tax_exempt from products', values: [] }),
  plans: (): Sql => ({ text: 'select id, name, trial_days from plans', values: [] }),
  charges: (): Sql => ({
    text: `select c.id, c.plan_id, c.product_id, p.name as product_name, p.tax_exempt, c.metric_code,
             m.aggregation, c.charge_model, c.position,
             coalesce(json_object_agg(pr.currency, pr.properties) filter (where pr.currency is not null), '{}') as prices
           from plan_charges c
           join products p on p.id = c.product_id
           left join billable_metrics m on m.code = c.metric_code
           left join plan_charge_prices pr on pr.charge_id = c.id
           group by c.id, p.name, p.tax_exempt, m.aggregation
           order by c.plan_id, c.position, c.id`,
    values: [],
  }),
  coupons: (): Sql => ({
    text: 'select id, name, kind, percent::text, amount_minor, currency, duration_periods from coupons',
    values: [],
  }),
};

/**
 * Billing windows for the 31 possible anchor days (params $3 = period, $4 = next period), as one
 * row of arrays indexed by anchor day, computed once per query: calling billflow_window_start per
 * row cost 6× more. A one-row CTE, not a 31-row table to join: with the join, the planner (its
 * row estimates off by 100× on a million customers) looped over the 31 windows for every usage
 * event, which made the usage query 2.7× slower at 1M customers than at 100k. *_at are the same
 * bounds as timestamptz for usage events.
 */
const windows = `with w as materialized (
  select array_agg(billflow_window_start($3, a) order by a) as ws,
    array_agg(billflow_window_start($4, a) order by a) as we,
    array_agg(billflow_window_start($3, a)::timestamp at time zone 'UTC' order by a) as ws_at,
    array_agg(billflow_window_start($4, a)::timestamp at time zone 'UTC' order by a) as we_at
  from generate_series(1, 31) a)`;

/*
 * Row order: only the order of a customer's own rows matters (it is the order of their invoice
 * lines), and the loader sorts those in memory (load.ts) — a sort in each query cost Postgres
 * more than the few rows per customer cost Node.
 */

export const shardSql = {
  customers: (from: number, to: number): Sql => ({
    text: `select id, name, currency, country, tax_region, locale, legal_entity_id, status, billing_anchor_day
           from customers where id between $1 and $2 order by id`,
    values: [from, to],
  }),
  /**
   * Subscriptions that overlap [first possible window start, last possible window end) — the
   * union of every anchor's window, so no join is needed here; the loader keeps those that
   * overlap the customer's own window (subscriptionInWindow).
   */
  subscriptions: (from: number, to: number, period: string, next: string): Sql => ({
    text: `select s.customer_id, s.id, s.plan_id, s.started_on, s.trial_ends_on, s.ended_on
           from subscriptions s
           where s.customer_id between $1 and $2
             and s.started_on < billflow_window_start($4, 31) and (s.ended_on is null or s.ended_on > billflow_window_start($3, 1))`,
    values: [from, to, period, next],
  }),
  usage: (from: number, to: number, period: string, next: string): Sql => ({
    text: `${windows}
           select e.customer_id, e.metric_code, sum(e.value)::bigint as sum, max(e.value) as max,
             count(distinct e.unique_key)::int as unique_count
           from usage_events e join customers c on c.id = e.customer_id cross join w
           where e.customer_id between $1 and $2 and c.id between $1 and $2
             and e.occurred_at >= w.ws_at[c.billing_anchor_day] and e.occurred_at < w.we_at[c.billing_anchor_day]
           group by e.customer_id, e.metric_code`,
    values: [from, to, period, next],
  }),
  loans: (from: number, to: number): Sql => ({
    text: `select customer_id, id, currency, principal_minor, annual_rate::text, tenure_months, first_due_on,
             emi_minor, late_fee_minor, paid_installments, status
           from loans where customer_id between $1 and $2 and status = 'active'`,
    values: [from, to],
  }),
  /** The payment lookup only for rows that name one (refunds): a join probed it for every row. */
  oneOffs: (from: number, to: number, period: string, next: string): Sql => ({
    text: `${windows}
           select o.customer_id, o.id, o.kind, o.product_id, o.product_name, o.quantity, o.unit_price_minor,
             o.currency, o.charged_on, o.original_payment_id,
             o.original_payment_id is not null and exists (
               select 1 from payments p where p.id = o.original_payment_id and p.customer_id = o.customer_id
             ) as original_payment_exists
           from one_off_charges o
           join customers c on c.id = o.customer_id cross join w
           where o.customer_id between $1 and $2 and c.id between $1 and $2
             and o.charged_on >= w.ws[c.billing_anchor_day] and o.charged_on < w.we[c.billing_anchor_day]
             and o.invoice_source is null`,
    values: [from, to, period, next],
  }),
  coupons: (from: number, to: number): Sql => ({
    text: `select customer_id, coupon_id, applied_from from customer_coupons
           where customer_id between $1 and $2 order by customer_id, coupon_id`,
    values: [from, to],
  }),
  /** Block duplicates: customers that already have this period's invoice from this source. */
  existingInvoices: (from: number, to: number, period: string, source: string): Sql => ({
    text: `select customer_id from invoices where customer_id between $1 and $2 and period = $3 and source = $4`,
    values: [from, to, period, source],
  }),
};
