/**
 * Products (what a line is for, and whether it is taxed) and billable metrics (what usage
 * events are counted against, and how they aggregate).
 */
import type { ProductInfo } from '../billing/types.ts';
import { conflict, inTransaction, parseInput, run, translateConstraint, type Deps } from '../customers/index.ts';
import { metricSql, productSql } from './catalog-sql.ts';
import { createMetricSchema, createProductSchema, type CreateMetricInput, type CreateProductInput } from './schemas.ts';

export type Product = ProductInfo;

export interface Metric {
  code: string;
  name: string;
  aggregation: 'sum' | 'max' | 'unique_count';
  unit: string;
}

export async function createProduct(deps: Deps, input: CreateProductInput): Promise<Product> {
  const product = parseInput(createProductSchema, input);
  return inTransaction(
    deps.db,
    async (client) => {
      const row = (await run<{ id: string; name: string; tax_exempt: boolean }>(
        client,
        productSql.insert(product.id, product.name, product.taxExempt),
      )).rows[0]!;
      return { id: row.id, name: row.name, taxExempt: row.tax_exempt };
    },
    translateConstraint({ products_pkey: () => conflict('id', `a product with id '${product.id}' already exists`) }),
  );
}

export async function createMetric(deps: Deps, input: CreateMetricInput): Promise<Metric> {
  const metric = parseInput(createMetricSchema, input);
  return inTransaction(
    deps.db,
    async (client) => {
      const sql = metricSql.insert(metric.code, metric.name, metric.aggregation, metric.unit);
      return (await run<Metric>(client, sql)).rows[0]!;
    },
    translateConstraint({ billable_metrics_pkey: () => conflict('code', `a metric with code '${metric.code}' already exists`) }),
  );
}
