import type { ChargeOutcome } from '../providers/types.ts';

/**
 * Pure: what to write for a batch of attempt outcomes (dunning decides what happens after a
 * decline). No I/O, no await: attempts/record.ts applies the plan in one transaction.
 */
export interface DunningPolicy {
  dunningDays: readonly number[];
  maxAttempts: number;
  janitorChecksMs: readonly number[];
}

export interface AttemptRef {
  id: number;
  invoiceId: number;
  attemptNo: number;
}

export type FinalOutcome = ChargeOutcome | { status: 'not_charged'; code: string; message: string };

export interface OutcomePlan {
  attempts: { id: number; invoiceId: number; status: string; code: string | null; message: string | null; ref: string | null; nextCheck: Date | null }[];
  /** Succeeded: a payment per invoice, the invoice paid. */
  paid: { invoiceId: number; attemptId: number; providerRef: string }[];
  /** Declined with attempts left: tried again at this time. */
  retry: { invoiceId: number; at: Date; failure: string }[];
  /** Declined on the last attempt: payment_status 'failed' for manual reconciliation. */
  failed: { invoiceId: number; failure: string }[];
  unknown: number[];
}

const DAY_MS = 86_400_000;

export function nextCheckAt(policy: DunningPolicy, startedAt: Date, checksDone: number): Date {
  const schedule = policy.janitorChecksMs;
  const offset = schedule[Math.min(checksDone, schedule.length - 1)]!;
  // The last interval repeats (daily) once the schedule is exhausted.
  const extra = checksDone >= schedule.length ? (checksDone - schedule.length + 1) * schedule[schedule.length - 1]! : 0;
  return new Date(startedAt.getTime() + offset + extra);
}

export function planOutcomes(policy: DunningPolicy, now: Date, results: { attempt: AttemptRef; outcome: FinalOutcome }[]): OutcomePlan {
  const plan: OutcomePlan = { attempts: [], paid: [], retry: [], failed: [], unknown: [] };
  for (const { attempt, outcome } of results) {
    if (outcome.status === 'succeeded') {
      plan.attempts.push({ id: attempt.id, invoiceId: attempt.invoiceId, status: 'succeeded', code: null, message: null, ref: outcome.providerRef, nextCheck: null });
      plan.paid.push({ invoiceId: attempt.invoiceId, attemptId: attempt.id, providerRef: outcome.providerRef });
    } else if (outcome.status === 'unknown') {
      plan.attempts.push({ id: attempt.id, invoiceId: attempt.invoiceId, status: 'unknown', code: outcome.code, message: outcome.message, ref: null, nextCheck: nextCheckAt(policy, now, 0) });
      plan.unknown.push(attempt.invoiceId);
    } else {
      const ref = outcome.status === 'declined' ? outcome.providerRef : null;
      plan.attempts.push({ id: attempt.id, invoiceId: attempt.invoiceId, status: outcome.status, code: outcome.code, message: outcome.message, ref, nextCheck: null });
      const failure = `${outcome.code}: ${outcome.message}`;
      if (attempt.attemptNo >= policy.maxAttempts) plan.failed.push({ invoiceId: attempt.invoiceId, failure });
      else {
        const days = policy.dunningDays[Math.min(attempt.attemptNo - 1, policy.dunningDays.length - 1)] ?? 1;
        plan.retry.push({ invoiceId: attempt.invoiceId, at: new Date(now.getTime() + days * DAY_MS), failure });
      }
    }
  }
  return plan;
}
