/**
 * Catalog reads: products and billable metrics by id and listed by cursor (id order).
 */
import type pg from 'pg';
import { notFound, run } from '../customers/index.ts';
import { metricSql, productSql } from './catalog-sql.ts';

interface ProductRow {
  id: string;
  name: string;
  tax_exempt: boolean;
}

interface MetricRow {
  code: string;
  name: string;
  aggregation: 'sum' | 'max' | 'unique_count';
  unit: string;
}

const toProduct = (r: ProductRow) => ({ id: r.id, name: r.name, taxExempt: r.tax_exempt });

export async function getProduct(db: pg.Pool, productId: string) {
  const row = (await run<ProductRow>(db, productSql.byId(productId))).rows[0];
  if (row === undefined) throw notFound('product', [{ field: 'productId', message: `no product '${productId}'` }]);
  return toProduct(row);
}

export async function listProducts(db: pg.Pool, limit: number, after: string | undefined) {
  const products = (await run<ProductRow>(db, productSql.page(limit, after ?? null))).rows.map(toProduct);
  return { products, nextAfter: products.length === limit ? products[products.length - 1]!.id : null };
}

export async function getMetric(db: pg.Pool, code: string): Promise<MetricRow> {
  const row = (await run<MetricRow>(db, metricSql.byCode(code))).rows[0];
  if (row === undefined) throw notFound('metric', [{ field: 'metricCode', message: `no billable metric '${code}'` }]);
  return row;
}

export async function listMetrics(db: pg.Pool, limit: number, after: string | undefined) {
  const metrics = (await run<MetricRow>(db, metricSql.page(limit, after ?? null))).rows;
  return { metrics, nextAfter: metrics.length === limit ? metrics[metrics.length - 1]!.code : null };
}
