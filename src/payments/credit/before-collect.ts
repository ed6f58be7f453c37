/**
 * Before a collector claims, customers holding credit have it applied to their unpaid invoices
 * (oldest first, apply.ts), so the card is charged only what credit does not cover. One
 * transaction per customer; the customers are found through the partial index of balances with
 * credit, so with nobody holding credit this is one cheap query.
 */
import type pg from 'pg';
import type { Log } from '../../log.ts';
import type { ClaimFilter } from '../attempts/attempts-sql.ts';
import { applyCustomerCredit } from './apply.ts';
import { creditSql } from './credit-sql.ts';

/** Customers looked up per query (each then gets its own transaction). */
export const CREDIT_CUSTOMERS_PAGE = 500;

export interface CreditSweepSummary {
  customers: number;
  appliedMinor: number;
  paidInvoices: number;
  /** Customers whose application failed (logged; their invoices are collected as they are). */
  failed: number;
}

export async function applyCreditBeforeCollect(
  deps: { pool: pg.Pool; log: Log; clock: { now(): Date } },
  filter: ClaimFilter,
): Promise<CreditSweepSummary> {
  const summary: CreditSweepSummary = { customers: 0, appliedMinor: 0, paidInvoices: 0, failed: 0 };
  let after = { customerId: 0, currency: '' };
  for (;;) {
    const page = (await deps.pool.query<{ customer_id: number; currency: string }>(
      creditSql.customersWithCredit(filter, after, CREDIT_CUSTOMERS_PAGE))).rows;
    for (const c of page) {
      const client = await deps.pool.connect();
      try {
        await client.query('begin');
        const r = await applyCustomerCredit(client, { customerId: c.customer_id, currency: c.currency, trigger: 'collect', now: deps.clock.now() });
        await client.query('commit');
        summary.customers++;
        summary.appliedMinor += r.appliedMinor;
        summary.paidInvoices += r.paidInvoiceIds.length;
      } catch (error) {
        // One customer's failure (a lock timeout, say) must not stop the collection of everyone else.
        await client.query('rollback').catch(() => undefined);
        summary.failed++;
        deps.log.warn(`credit of customer ${c.customer_id} (${c.currency}) not applied: ${(error as Error).message}`);
      } finally {
        client.release();
      }
    }
    if (page.length < CREDIT_CUSTOMERS_PAGE) return summary;
    const last = page[page.length - 1]!;
    after = { customerId: last.customer_id, currency: last.currency };
  }
}
