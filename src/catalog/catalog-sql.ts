/**
 * SQL for the catalog writes and reads. Each function returns {text, values} and runs nothing.
 * Multi-row inserts pass one JSON array and expand it with jsonb_to_recordset.
 */
import type { Sql } from '../customers/index.ts';

export const productSql = {
  insert: (id: string, name: string, taxExempt: boolean): Sql => ({
    text: 'insert into products (id, name, tax_exempt) values ($1, $2, $3) returning id, name, tax_exempt',
    values: [id, name, taxExempt],
  }),
  existing: (ids: readonly string[]): Sql => ({
    text: 'select id from products where id = any($1::text[])',
    values: [ids],
  }),
  byId: (id: string): Sql => ({
    text: 'select id, name, tax_exempt from products where id = $1',
    values: [id],
  }),
  /** A page by id after a cursor (null: from the first). */
  page: (limit: number, after: string | null): Sql => ({
    text: 'select id, name, tax_exempt from products where ($1::text is null or id > $1) order by id limit $2',
    values: [after, limit],
  }),
};

export const metricSql = {
  insert: (code: string, name: string, aggregation: string, unit: string): Sql => ({
    text: `insert into billable_metrics (code, name, aggregation, unit) values ($1, $2, $3, $4)
           returning code, name, aggregation, unit`,
    values: [code, name, aggregation, unit],
  }),
  existing: (codes: readonly string[]): Sql => ({
    text: 'select code from billable_metrics where code = any($1::text[])',
    values: [codes],
  }),
  byCode: (code: string): Sql => ({
    text: 'select code, name, aggregation, unit from billable_metrics where code = $1',
    values: [code],
  }),
  /** A page by code after a cursor (null: from the first). */
  page: (limit: number, after: string | null): Sql => ({
    text: 'select code, name, aggregation, unit from billable_metrics where ($1::text is null or code > $1) order by code limit $2',
    values: [after, limit],
  }),
};

export interface ChargeRow {
  id: string;
  plan_id: string;
  product_id: string;
  metric_code: string | null;
  charge_model: string;
  position: number;
}

export interface PriceRow {
  charge_id: string;
  currency: string;
  properties: unknown;
}

const PLAN_CHARGES_SELECT = `select c.plan_id, c.id, c.product_id, c.metric_code, c.charge_model, c.position,
    coalesce(json_object_agg(pr.currency, pr.properties order by pr.currency)
             filter (where pr.currency is not null), '{}') as prices
  from plan_charges c
  left join plan_charge_prices pr on pr.charge_id = c.id`;

export const planSql = {
  insertPlan: (id: string, name: string, trialDays: number): Sql => ({
    text: 'insert into plans (id, name, trial_days) values ($1, $2, $3)',
    values: [id, name, trialDays],
  }),
  insertCharges: (rows: readonly ChargeRow[]): Sql => ({
    text: `insert into plan_charges (id, plan_id, product_id, metric_code, charge_model, position)
           select id, plan_id, product_id, metric_code, charge_model, position
           from jsonb_to_recordset($1::jsonb)
             as x(id text, plan_id text, product_id text, metric_code text, charge_model text, position smallint)`,
    values: [JSON.stringify(rows)],
  }),
  insertPrices: (rows: readonly PriceRow[]): Sql => ({
    text: `insert into plan_charge_prices (charge_id, currency, properties)
           select charge_id, currency, properties
           from jsonb_to_recordset($1::jsonb) as x(charge_id text, currency char(3), properties jsonb)`,
    values: [JSON.stringify(rows)],
  }),
  existingCharges: (ids: readonly string[]): Sql => ({
    text: 'select id from plan_charges where id = any($1::text[])',
    values: [ids],
  }),
  byId: (id: string): Sql => ({
    text: 'select id, name, interval, trial_days from plans where id = $1',
    values: [id],
  }),
  page: (limit: number, after: string | null): Sql => ({
    text: `select id, name, interval, trial_days from plans
           where $1::text is null or id > $1 order by id limit $2`,
    values: [after, limit],
  }),
  chargesOf: (planIds: readonly string[]): Sql => ({
    text: `${PLAN_CHARGES_SELECT}
           where c.plan_id = any($1::text[])
           group by c.plan_id, c.id
           order by c.plan_id, c.position, c.id`,
    values: [planIds],
  }),
};

export const couponSql = {
  insert: (c: {
    id: string;
    name: string;
    kind: string;
    percent: string | null;
    amountMinor: number | null;
    currency: string | null;
    durationPeriods: number | null;
  }): Sql => ({
    text: `insert into coupons (id, name, kind, percent, amount_minor, currency, duration_periods)
           values ($1, $2, $3, $4::numeric, $5, $6, $7)
           returning id, name, kind, percent::text as percent, amount_minor, currency, duration_periods`,
    values: [c.id, c.name, c.kind, c.percent, c.amountMinor, c.currency, c.durationPeriods],
  }),
  byId: (id: string): Sql => ({
    text: 'select id, name, kind, percent::text as percent, amount_minor, currency, duration_periods from coupons where id = $1',
    values: [id],
  }),
  /** A page by id after a cursor (null: from the first). */
  page: (limit: number, after: string | null): Sql => ({
    text: `select id, name, kind, percent::text as percent, amount_minor, currency, duration_periods from coupons
           where ($1::text is null or id > $1) order by id limit $2`,
    values: [after, limit],
  }),
  apply: (customerId: number, couponId: string, appliedFrom: string): Sql => ({
    text: `insert into customer_coupons (customer_id, coupon_id, applied_from) values ($1, $2, $3)
           returning customer_id, coupon_id, applied_from`,
    values: [customerId, couponId, appliedFrom],
  }),
};
