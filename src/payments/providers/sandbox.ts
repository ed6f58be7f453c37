import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { SandboxSettings } from '../settings.ts';
import { SandboxLedger, type SandboxRow } from './sandbox-store.ts';
import { DECLINE_CODES, type ChargeOutcome, type ChargeRequest, type PaymentProvider, type RefundOutcome, type RefundRequest, type RetrieveOutcome } from './types.ts';

/**
 * The sandbox provider (the default): outcomes are deterministic, chosen by the customer's test
 * data (customers.metadata.sandbox, e.g. "insufficient_funds", "timeout", "lost_answer") or,
 * without it, by a hash of the idempotency key against the configured rates. Every charge it
 * performs is written to sandbox_charges (its own books, committed before it answers), so tests
 * can count charges per idempotency key and per invoice — across process crashes.
 */
export type SandboxBehaviour = 'success' | (typeof DECLINE_CODES)[number] | 'timeout' | 'server_error' | 'lost_answer';
const BEHAVIOURS = new Set<string>(['success', ...DECLINE_CODES, 'timeout', 'server_error', 'lost_answer']);

const MESSAGES: Record<string, string> = {
  insufficient_funds: 'Your card has insufficient funds.',
  card_declined: 'Your card was declined.',
  currency_mismatch: 'The payment method does not support this currency.',
  customer_not_found: 'No such customer at the provider.',
};

/** A number in [0, 1) from a key: the same key always behaves the same. */
function unitHash(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) / 0x1_0000_0000;
}

export function sandboxBehaviour(settings: SandboxSettings, testData: string | null, key: string): SandboxBehaviour {
  if (testData !== null && BEHAVIOURS.has(testData)) return testData as SandboxBehaviour;
  let u = unitHash(key);
  if ((u -= settings.failureRate) < 0) return DECLINE_CODES[Math.floor(unitHash(`${key}:code`) * 2)]!; // insufficient_funds | card_declined
  if ((u -= settings.timeoutRate) < 0) return 'timeout';
  if ((u -= settings.serverErrorRate) < 0) return 'server_error';
  if ((u -= settings.lostAnswerRate) < 0) return 'lost_answer';
  return 'success';
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function outcomeOf(row: SandboxRow): ChargeOutcome {
  return row.status === 'succeeded'
    ? { status: 'succeeded', providerRef: `sb_${row.id}` }
    : { status: 'declined', code: row.declineCode ?? 'card_declined', message: MESSAGES[row.declineCode ?? ''] ?? 'declined', providerRef: `sb_${row.id}` };
}

export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly books: SandboxLedger;

  constructor(pool: pg.Pool, private readonly settings: SandboxSettings) {
    this.books = new SandboxLedger(pool);
  }

  async charge(req: ChargeRequest): Promise<ChargeOutcome> {
    await sleep(this.settings.latencyMs);
    if (this.settings.honourIdempotencyKeys) {
      const first = await this.books.find(req.idempotencyKey, 'charge');
      if (first) return outcomeOf(first);
    }
    const behaviour = sandboxBehaviour(this.settings, req.customer.testData, req.idempotencyKey);
    if (behaviour === 'timeout') {
      await sleep(this.settings.timeoutMs);
      return { status: 'unknown', code: 'timeout', message: 'the provider did not answer in time' };
    }
    if (behaviour === 'server_error') return { status: 'unknown', code: 'provider_5xx', message: 'provider answered 503 Service Unavailable' };
    const declined = behaviour !== 'success' && behaviour !== 'lost_answer';
    const row = await this.books.record({
      idempotencyKey: req.idempotencyKey, kind: 'charge', reference: String(req.invoiceId), amountMinor: req.amountMinor,
      currency: req.currency, status: declined ? 'declined' : 'succeeded', declineCode: declined ? behaviour : null,
    });
    if (behaviour === 'lost_answer') {
      await sleep(this.settings.timeoutMs);
      return { status: 'unknown', code: 'timeout', message: 'the connection was lost before the provider answered' };
    }
    return outcomeOf(row);
  }

  async retrieve(idempotencyKey: string): Promise<RetrieveOutcome> {
    await sleep(this.settings.latencyMs);
    const row = await this.books.find(idempotencyKey, 'charge');
    return row ? outcomeOf(row) : { status: 'not_found' };
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    await sleep(this.settings.latencyMs);
    const first = await this.books.find(req.idempotencyKey, 'refund');
    if (first) return { status: 'succeeded', providerRef: `sbr_${first.id}` };
    const behaviour = sandboxBehaviour({ ...this.settings, failureRate: 0 }, req.customer.testData, req.idempotencyKey);
    if (behaviour === 'timeout' || behaviour === 'server_error') return { status: 'unknown', code: behaviour, message: `refund ${behaviour}` };
    if (behaviour !== 'success' && behaviour !== 'lost_answer') return { status: 'failed', code: behaviour, message: MESSAGES[behaviour] ?? behaviour };
    const row = await this.books.record({
      idempotencyKey: req.idempotencyKey, kind: 'refund', reference: req.chargeRef ?? `customer:${req.customer.id}`,
      amountMinor: req.amountMinor, currency: req.currency, status: 'succeeded', declineCode: null,
    });
    return { status: 'succeeded', providerRef: `sbr_${row.id}` };
  }

  close(): Promise<void> {
    return this.books.close();
  }
}
