/**
 * Writes the seed catalog (products, metrics, plans, charges, prices, coupons) with idempotent
 * upserts: running `billflow seed` again updates the same rows instead of failing or duplicating.
 * Each table is one statement over a JSON array (jsonb_to_recordset), inside one transaction.
 */
import type pg from 'pg';
import { COUPONS, METRICS, PLANS, PRODUCTS } from './catalog.ts';

interface UpsertSpec {
  table: string;
  key: readonly string[];
  columns: readonly (readonly [name: string, type: string])[];
  rows: readonly Record<string, unknown>[];
}

export function upsertStatement(spec: UpsertSpec): { text: string; values: unknown[] } {
  const names = spec.columns.map(([n]) => n);
  const record = spec.columns.map(([n, t]) => `${n} ${t}`).join(', ');
  const updates = names.filter((n) => !spec.key.includes(n)).map((n) => `${n} = excluded.${n}`);
  const text =
    `insert into ${spec.table} (${names.join(', ')}) ` +
    `select ${names.join(', ')} from jsonb_to_recordset($1::jsonb) as x(${record}) ` +
    `on conflict (${spec.key.join(', ')}) ` +
    (updates.length > 0 ? `do update set ${updates.join(', ')}` : 'do nothing');
  return { text, values: [JSON.stringify(spec.rows)] };
}

export function catalogUpserts(): UpsertSpec[] {
  const charges = PLANS.flatMap((plan) =>
    plan.charges.map((c, position) => ({
      id: c.id, plan_id: plan.id, product_id: c.productId, metric_code: c.metricCode, charge_model: c.model, position,
    })),
  );
  const prices = PLANS.flatMap((plan) =>
    plan.charges.flatMap((c) => plan.currencies.map((currency) => ({ charge_id: c.id, currency, properties: c.properties(currency) }))),
  );
  return [
    {
      table: 'products', key: ['id'], columns: [['id', 'text'], ['name', 'text'], ['tax_exempt', 'boolean']],
      rows: PRODUCTS.map((p) => ({ id: p.id, name: p.name, tax_exempt: p.taxExempt })),
    },
    {
      table: 'billable_metrics', key: ['code'],
      columns: [['code', 'text'], ['name', 'text'], ['aggregation', 'text'], ['unit', 'text']],
      rows: METRICS.map((m) => ({ ...m })),
    },
    {
      table: 'plans', key: ['id'], columns: [['id', 'text'], ['name', 'text'], ['trial_days', 'integer']],
      rows: PLANS.map((p) => ({ id: p.id, name: p.name, trial_days: p.trialDays })),
    },
    {
      table: 'plan_charges', key: ['id'],
      columns: [['id', 'text'], ['plan_id', 'text'], ['product_id', 'text'], ['metric_code', 'text'], ['charge_model', 'text'], ['position', 'smallint']],
      rows: charges,
    },
    {
      table: 'plan_charge_prices', key: ['charge_id', 'currency'],
      columns: [['charge_id', 'text'], ['currency', 'char(3)'], ['properties', 'jsonb']],
      rows: prices,
    },
    {
      table: 'coupons', key: ['id'],
      columns: [['id', 'text'], ['name', 'text'], ['kind', 'text'], ['percent', 'numeric'], ['amount_minor', 'bigint'], ['currency', 'char(3)'], ['duration_periods', 'integer']],
      rows: COUPONS.map((c) => ({
        id: c.id, name: c.name, kind: c.kind, percent: c.percent, amount_minor: c.amountMinor, currency: c.currency, duration_periods: c.durationPeriods,
      })),
    },
  ];
}

/** Upserts the whole catalog in one transaction on `client`. */
export async function upsertCatalog(client: pg.PoolClient | pg.Client): Promise<void> {
  await client.query('begin');
  try {
    for (const spec of catalogUpserts()) await client.query(upsertStatement(spec));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
