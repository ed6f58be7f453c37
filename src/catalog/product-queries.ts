/**
 * Catalog reads the API needs and src/catalog does not have yet: products and metrics by id and
 * listed by cursor (id order).
 */
import type pg from 'pg';
import { notFound } from '../customers/index.ts';

export async function getProduct(db: pg.Pool, productId: string) {
  const row = (await db.query<{ id: string; name: string; tax_exempt: boolean }>(
    'select id, name, tax_exempt from products where id = $1', [productId],
  )).rows[0];
  if (row === undefined) throw notFound('product', [{ field: 'productId', message: `no product '${productId}'` }]);
  return { id: row.id, name: row.name, taxExempt: row.tax_exempt };
}

export async function listProducts(db: pg.Pool, limit: number, after: string | undefined) {
  const rows = (await db.query<{ id: string; name: string; tax_exempt: boolean }>(
    'select id, name, tax_exempt from products where ($1::text is null or id > $1) order by id limit $2', [after ?? null, limit],
  )).rows;
  const products = rows.map((r) => ({ id: r.id, name: r.name, taxExempt: r.tax_exempt }));
  return { products, nextAfter: products.length === limit ? products[products.length - 1]!.id : null };
}

export async function listMetrics(db: pg.Pool, limit: number, after: string | undefined) {
  const metrics = (await db.query<{ code: string; name: string; aggregation: 'sum' | 'max' | 'unique_count'; unit: string }>(
    'select code, name, aggregation, unit from billable_metrics where ($1::text is null or code > $1) order by code limit $2',
    [after ?? null, limit],
  )).rows;
  return { metrics, nextAfter: metrics.length === limit ? metrics[metrics.length - 1]!.code : null };
}

export async function getMetric(db: pg.Pool, code: string) {
  const row = (await db.query<{ code: string; name: string; aggregation: 'sum' | 'max' | 'unique_count'; unit: string }>(
    'select code, name, aggregation, unit from billable_metrics where code = $1', [code],
  )).rows[0];
  if (row === undefined) throw notFound('metric', [{ field: 'metricCode', message: `no billable metric '${code}'` }]);
  return row;
}
