import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { getBalance, postEntries, refundCompensationEntry, refundIntentEntry, refundPaidEntry } from '../ledger/index.ts';
import type { PaymentProvider, RefundOutcome } from '../payments/index.ts';
import { repaymentsSql } from './repayments-sql.ts';

/**
 * The refund saga of a repayment's excess (customer credit), each step idempotent:
 *   1. intent — a refund_intents row (one per repayment, unique) and the ledger moving the credit
 *      to refunds in transit, guarded by the balance version (optimistic: the credit is still there);
 *   2. provider refund with the intent's idempotency key (a repeat returns the first answer),
 *      against the charge chosen with the intent: the customer's latest payment collected through
 *      this provider with enough left unrefunded (Stripe refunds need one; with none the request
 *      names no charge — the sandbox refunds to the method of record, Stripe fails and it is
 *      compensated);
 *   3. ledger — refunded: refunds in transit → cash, status 'posted';
 *      failed: compensation, refunds in transit → back to customer credit, status 'compensated'.
 * An unknown answer leaves the intent for resumeRefunds(), which repeats step 2 with the same key.
 */
export interface RefundDeps {
  pool: pg.Pool;
  provider: PaymentProvider;
}

export interface RefundSagaResult {
  intentId: number;
  status: 'intent' | 'posted' | 'compensated';
  providerRef: string | null;
  failure: string | null;
}

async function inTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const out = await fn(client);
    await client.query('commit');
    return out;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Step 1: the intent (with the charge it refunds) and its ledger hold, once per repayment. */
async function recordIntent(pool: pg.Pool, provider: string, r: { repaymentId: number; customerId: number; currency: string; amountMinor: number }): Promise<{ id: number; status: string; key: string; chargeRef: string | null }> {
  return inTx(pool, async (c) => {
    const key = `bf_refund_rep_${r.repaymentId}`;
    const existing = (await c.query(`select id, status, idempotency_key, charge_ref from refund_intents where repayment_id = $1`, [r.repaymentId])).rows[0];
    if (existing) return { id: existing.id, status: existing.status, key: existing.idempotency_key, chargeRef: existing.charge_ref };
    const balance = await getBalance(c, r.customerId, r.currency);
    if (balance.creditMinor < r.amountMinor) {
      throw new BillflowError('insufficient_credit', `customer ${r.customerId} has ${balance.creditMinor} of credit, less than the ${r.amountMinor} to refund`, { httpStatus: 409 });
    }
    const charge = repaymentsSql.refundableCharge(r.customerId, r.currency, provider, r.amountMinor);
    const chargeRef = ((await c.query(charge.text, charge.values)).rows[0]?.charge_ref as string | undefined) ?? null;
    const id = (await c.query(`insert into refund_intents (repayment_id, customer_id, currency, amount_minor, idempotency_key, status, charge_ref)
      values ($1, $2, $3, $4, $5, 'intent', $6) returning id`, [r.repaymentId, r.customerId, r.currency, r.amountMinor, key, chargeRef])).rows[0].id as number;
    await postEntries(c, [refundIntentEntry({ id, customerId: r.customerId, currency: r.currency, amountMinor: r.amountMinor })],
      { expectVersion: { customerId: r.customerId, currency: r.currency, version: balance.version } });
    return { id, status: 'intent', key, chargeRef };
  });
}

/** Step 3: the outcome into the ledger, once (only an intent still open moves). */
async function settle(pool: pg.Pool, intentId: number, outcome: RefundOutcome): Promise<RefundSagaResult> {
  return inTx(pool, async (c) => {
    const row = (await c.query(`select id, customer_id, currency, amount_minor, status, provider_ref, failure from refund_intents where id = $1 for update`, [intentId])).rows[0];
    const facts = { id: intentId, customerId: row.customer_id, currency: row.currency, amountMinor: row.amount_minor };
    if (row.status !== 'intent' || outcome.status === 'unknown') return { intentId, status: row.status, providerRef: row.provider_ref, failure: row.failure };
    if (outcome.status === 'succeeded') {
      await postEntries(c, [refundPaidEntry(facts)]);
      await c.query(`update refund_intents set status = 'posted', provider_ref = $2, updated_at = now() where id = $1`, [intentId, outcome.providerRef]);
      await c.query(`insert into outbox_events (topic, aggregate_id, payload) values ('refund.posted', $1, $2)`, [intentId, JSON.stringify({ ...facts, providerRef: outcome.providerRef })]);
      return { intentId, status: 'posted', providerRef: outcome.providerRef, failure: null };
    }
    const failure = `${outcome.code}: ${outcome.message}`;
    await postEntries(c, [refundCompensationEntry(facts)]);
    await c.query(`update refund_intents set status = 'compensated', failure = $2, updated_at = now() where id = $1`, [intentId, failure]);
    return { intentId, status: 'compensated', providerRef: null, failure };
  });
}

export async function refundExcess(deps: RefundDeps, r: { repaymentId: number; customerId: number; currency: string; amountMinor: number }): Promise<RefundSagaResult> {
  const intent = await recordIntent(deps.pool, deps.provider.name, r);
  if (intent.status !== 'intent') return settleExisting(deps.pool, intent.id);
  const c = (await deps.pool.query(`select external_id, metadata->>'sandbox' as test_data from customers where id = $1`, [r.customerId])).rows[0];
  const outcome = await deps.provider.refund({
    idempotencyKey: intent.key, chargeRef: intent.chargeRef, customer: { id: r.customerId, externalRef: c?.external_id ?? null, testData: c?.test_data ?? null },
    amountMinor: r.amountMinor, currency: r.currency,
  }).catch((e: Error): RefundOutcome => ({ status: 'unknown', code: 'error', message: e.message }));
  return settle(deps.pool, intent.id, outcome);
}

async function settleExisting(pool: pg.Pool, intentId: number): Promise<RefundSagaResult> {
  const row = (await pool.query(`select status, provider_ref, failure from refund_intents where id = $1`, [intentId])).rows[0];
  return { intentId, status: row.status, providerRef: row.provider_ref, failure: row.failure };
}

/** A repayment's excess not refunded because the credit was used meanwhile (no intent written). */
export interface NotRefunded {
  intentId: null;
  status: 'not_refunded';
  providerRef: null;
  failure: string;
}

/** Balance-version conflicts retried before giving up (each retry reads the balance afresh). */
const REFUND_CONFLICT_RETRIES = 3;

/**
 * The saga for a repayment just recorded, as the API and the file import run it: between the
 * repayment's commit and the intent another applier (a collector, apply-credit) may use the
 * credit. A version conflict is retried with a fresh read; credit no longer there ends in
 * 'not_refunded' (no intent, nothing posted), not an error — the repayment is recorded either way,
 * and the credit went to what the customer owed.
 */
export async function refundRepaymentExcess(deps: RefundDeps, r: { repaymentId: number; customerId: number; currency: string; amountMinor: number }): Promise<RefundSagaResult | NotRefunded> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await refundExcess(deps, r);
    } catch (error) {
      if (!(error instanceof BillflowError)) throw error;
      if (error.code === 'insufficient_credit') return { intentId: null, status: 'not_refunded', providerRef: null, failure: error.message };
      if (error.code !== 'balance_conflict' || attempt >= REFUND_CONFLICT_RETRIES) throw error;
    }
  }
}

/** Repeats step 2 (same key) and 3 for intents left open by an unknown answer or a crash. */
export async function resumeRefunds(deps: RefundDeps, limit = 100): Promise<RefundSagaResult[]> {
  const open = (await deps.pool.query(`select id, repayment_id, customer_id, currency, amount_minor from refund_intents where status = 'intent' order by id limit $1`, [limit])).rows;
  const out: RefundSagaResult[] = [];
  for (const i of open) out.push(await refundExcess(deps, { repaymentId: i.repayment_id, customerId: i.customer_id, currency: i.currency, amountMinor: i.amount_minor }));
  return out;
}
