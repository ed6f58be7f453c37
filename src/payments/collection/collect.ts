import type pg from 'pg';
import type { Log } from '../../log.ts';
import { attemptsSql, type ClaimFilter } from '../attempts/attempts-sql.ts';
import { recordOutcomes, type RecordCounts } from '../attempts/record.ts';
import { applyCreditBeforeCollect } from '../credit/before-collect.ts';
import { planOutcomes, type FinalOutcome } from '../dunning/plan.ts';
import { sweepOrphans } from '../janitor/janitor.ts';
import type { ChargeOutcome, ChargeRequest, PaymentProvider } from '../providers/types.ts';
import type { PaymentsSettings } from '../settings.ts';
import { mapBounded, SharedRateLimiter, withTimeout, type Limiter } from './limits.ts';

export interface CollectDeps {
  pool: pg.Pool;
  provider: PaymentProvider;
  log: Log;
  clock: { now(): Date };
  settings: PaymentsSettings;
  /** Paces provider calls; default: the provider's bucket shared by every process (rate_limit_buckets). */
  limiter?: Limiter;
}

export interface CollectInput {
  invoiceIds?: number[] | null;
  runId?: number | null;
  trigger?: 'collect' | 'run' | 'requeue';
  /** Stop after this many attempts (tests, and a bounded job). */
  maxAttempts?: number;
}

export interface CollectSummary extends RecordCounts {
  attempts: number;
  notRequired: number;
  /** Customer credit applied before claiming (minor units, all currencies) and the invoices it paid in full. */
  creditAppliedMinor: number;
  paidByCredit: number;
  durationMs: number;
}

interface Claimed {
  id: number;
  invoice_id: number;
  attempt_no: number;
  idempotency_key: string;
  amount_minor: number;
  currency: string;
  customer_id: number;
  external_id: string | null;
  metadata: Record<string, unknown> | null;
}

/** Consecutive claims lost to other collectors after which one stops (see collect's loop). */
const MAX_LOST_CLAIMS = 10;

/** One limiter per pool × provider × rate in a thread; they all draw on the provider's shared bucket. */
const limiters = new WeakMap<pg.Pool, Map<string, Limiter>>();
function limiterFor(pool: pg.Pool, provider: string, perSec: number): Limiter {
  let byKey = limiters.get(pool);
  if (!byKey) limiters.set(pool, (byKey = new Map()));
  let l = byKey.get(`${provider}:${perSec}`);
  if (!l) byKey.set(`${provider}:${perSec}`, (l = new SharedRateLimiter(pool, `payments:${provider}`, perSec)));
  return l;
}

function chargeRequest(provider: string, c: Claimed): ChargeRequest {
  const meta = c.metadata ?? {};
  const testData = provider === 'stripe' ? (meta.stripePaymentMethod as string | undefined) : (meta.sandbox as string | undefined);
  const externalRef = provider === 'stripe' ? ((meta.stripeCustomerId as string | undefined) ?? c.external_id) : c.external_id;
  return {
    idempotencyKey: c.idempotency_key, invoiceId: c.invoice_id, amountMinor: c.amount_minor, currency: c.currency,
    customer: { id: c.customer_id, externalRef: externalRef ?? null, testData: testData ?? null },
  };
}

/**
 * Collects due invoices: customers' credit applied first (before-collect.ts) → claim a batch and
 * write its attempt rows (one transaction) → call the provider for each, with bounded
 * concurrency, a per-provider rate limit and a call timeout → record every outcome, payment and
 * ledger posting (one transaction). A crash between the two transactions leaves attempts
 * 'started': they are never charged again, the janitor asks the provider what happened
 * (sweepOrphans, then resolveUnknown).
 */
export async function collect(deps: CollectDeps, input: CollectInput = {}): Promise<CollectSummary> {
  const start = performance.now();
  const { pool, provider, settings } = deps;
  const filter: ClaimFilter = { invoiceIds: input.invoiceIds ?? null, runId: input.runId ?? null };
  const limiter = deps.limiter ?? limiterFor(pool, provider.name, settings.ratePerSec);
  await sweepOrphans(deps);
  const credit = await applyCreditBeforeCollect(deps, filter);
  const notRequired = (await pool.query(attemptsSql.markNotRequired(filter))).rowCount ?? 0;
  const total: CollectSummary = {
    attempts: 0, paid: 0, retry: 0, failed: 0, unknown: 0, notRequired, creditAppliedMinor: credit.appliedMinor, paidByCredit: credit.paidInvoices, durationMs: 0,
  };
  let afterId = 0;
  const budget = input.maxAttempts ?? Number.MAX_SAFE_INTEGER;
  let lostClaims = 0;
  while (total.attempts < budget) {
    const limit = Math.min(settings.batchSize, budget - total.attempts);
    const rows = (await pool.query<Claimed & { candidates: number }>(attemptsSql.claim(filter, provider.name, input.trigger ?? 'collect', limit, deps.clock.now(), afterId))).rows;
    const claimed = rows.filter((r) => r.id !== null);
    if (claimed.length === 0) {
      // Nothing due: done. Due rows locked but no attempt written: each had just been claimed by
      // another collector whose attempts committed after this statement's snapshot (the in-flight
      // index turned them away) — claim again with a fresh snapshot, which sees them.
      if (rows[0]!.candidates === 0 || ++lostClaims > MAX_LOST_CLAIMS) break;
      continue;
    }
    lostClaims = 0;
    afterId = claimed[claimed.length - 1]!.invoice_id;
    const outcomes = await mapBounded(claimed, settings.concurrency, async (c): Promise<ChargeOutcome> => {
      await limiter.take();
      const call = provider.charge(chargeRequest(provider.name, c)).catch((e: Error): ChargeOutcome => ({ status: 'unknown', code: 'error', message: e.message }));
      return withTimeout(call, settings.callTimeoutMs, () => ({ status: 'unknown', code: 'timeout', message: `no answer within ${settings.callTimeoutMs} ms` }));
    });
    const counts = await recordBatch(deps, claimed, outcomes);
    total.attempts += claimed.length;
    total.paid += counts.paid; total.retry += counts.retry; total.failed += counts.failed; total.unknown += counts.unknown;
  }
  total.durationMs = Math.round(performance.now() - start);
  return total;
}

async function recordBatch(deps: CollectDeps, claimed: Claimed[], outcomes: FinalOutcome[]): Promise<RecordCounts> {
  const now = deps.clock.now();
  const plan = planOutcomes(deps.settings, now, claimed.map((c, i) => ({
    attempt: { id: c.id, invoiceId: c.invoice_id, attemptNo: c.attempt_no }, outcome: outcomes[i]!,
  })));
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    const counts = await recordOutcomes(client, plan, { provider: deps.provider.name, now, fromStatus: 'started', resolvedBy: 'response' });
    await client.query('commit');
    return counts;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
