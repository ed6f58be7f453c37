import type pg from 'pg';
import type { Log } from '../../log.ts';
import { attemptsSql } from '../attempts/attempts-sql.ts';
import { recordOutcomes, type RecordCounts } from '../attempts/record.ts';
import { nextCheckAt, planOutcomes, type FinalOutcome } from '../dunning/plan.ts';
import type { PaymentProvider } from '../providers/types.ts';
import type { PaymentsSettings } from '../settings.ts';

interface JanitorDeps {
  pool: pg.Pool;
  provider: PaymentProvider;
  log: Log;
  clock: { now(): Date };
  settings: PaymentsSettings;
}

/** Attempts examined per janitor pass. */
const JANITOR_BATCH = 1_000;

/**
 * Attempts still 'started' long after any call could be in flight (a collector died between
 * the call and its record) become 'unknown': the provider is asked about them on the janitor's
 * schedule, and their invoice is never charged again meanwhile (the in-flight index).
 */
export async function sweepOrphans(deps: JanitorDeps): Promise<number> {
  const now = deps.clock.now();
  // Twice the call timeout: a live collector records its outcome within one timeout.
  const olderThan = new Date(now.getTime() - 2 * deps.settings.callTimeoutMs);
  const ids = (await deps.pool.query<{ id: number }>(attemptsSql.orphanedStarted(olderThan, JANITOR_BATCH))).rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  const rows = (await deps.pool.query<{ invoice_id: number }>(
    `with o as (update payment_attempts set status = 'unknown', failure_code = 'orphaned',
                  failure_message = 'the collecting process stopped before recording the answer', next_check_at = $2
                where id = any($1::bigint[]) and status = 'started' returning invoice_id)
     update invoices set payment_status = 'unknown' where id in (select invoice_id from o) returning id as invoice_id`,
    [ids, nextCheckAt(deps.settings, now, 0)],
  )).rows;
  deps.log.warn(`payments janitor: ${rows.length} attempt(s) orphaned by a stopped collector are now unknown`);
  return rows.length;
}

export interface JanitorSummary extends RecordCounts {
  checked: number;
  notCharged: number;
  stillUnknown: number;
  orphans: number;
}

/**
 * Settles unknown outcomes by asking the provider (retrieve by idempotency key), never by
 * charging again: found succeeded → paid; found declined → dunning; not found → 'not_charged'
 * (the provider never made the charge) and dunning continues with a new attempt; still unclear
 * → asked again later (5 min, 1 h, then daily by default).
 */
export async function resolveUnknown(deps: JanitorDeps): Promise<JanitorSummary> {
  const orphans = await sweepOrphans(deps);
  const summary: JanitorSummary = { checked: 0, paid: 0, retry: 0, failed: 0, unknown: 0, notCharged: 0, stillUnknown: 0, orphans };
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    const now = deps.clock.now();
    const due = (await client.query<{ id: number; invoice_id: number; attempt_no: number; idempotency_key: string; started_at: Date; checks: number }>(
      attemptsSql.dueUnknown(now, JANITOR_BATCH))).rows;
    const settled: { attempt: { id: number; invoiceId: number; attemptNo: number }; outcome: FinalOutcome }[] = [];
    const again: { id: number; next: Date }[] = [];
    for (const a of due) {
      const found = await deps.provider.retrieve(a.idempotency_key);
      if (found.status === 'unknown') again.push({ id: a.id, next: nextCheckAt(deps.settings, a.started_at, a.checks + 1) });
      else {
        const outcome: FinalOutcome = found.status === 'not_found'
          ? { status: 'not_charged', code: 'not_charged', message: 'the provider has no charge for this attempt' }
          : found;
        if (found.status === 'not_found') summary.notCharged++;
        settled.push({ attempt: { id: a.id, invoiceId: a.invoice_id, attemptNo: a.attempt_no }, outcome });
      }
    }
    summary.checked = due.length;
    summary.stillUnknown = again.length;
    if (again.length > 0) await client.query(attemptsSql.bumpCheck(again.map((x) => x.id), again.map((x) => x.next)));
    const counts = await recordOutcomes(client, planOutcomes(deps.settings, now, settled), { provider: deps.provider.name, now, fromStatus: 'unknown', resolvedBy: 'janitor' });
    await client.query(`update payment_attempts set checks = checks + 1 where id = any($1::bigint[])`, [settled.map((s) => s.attempt.id)]);
    await client.query('commit');
    Object.assign(summary, { paid: counts.paid, retry: counts.retry, failed: counts.failed, unknown: counts.unknown });
    return summary;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
