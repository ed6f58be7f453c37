import Stripe from 'stripe';
import type { StripeSettings } from '../settings.ts';
import type { ChargeOutcome, ChargeRequest, PaymentProvider, RefundOutcome, RefundRequest, RetrieveOutcome } from './types.ts';

/**
 * Stripe through the official SDK: a charge is a confirmed off-session PaymentIntent created with
 * the attempt's idempotency key (and the key in its metadata, so retrieve() can find it by
 * search when the answer was lost). The SDK's own retries are off: an unanswered call is
 * 'unknown' and the janitor asks later. The customer's Stripe id is customers.external_id
 * (or metadata.stripeCustomerId), the payment method metadata.stripePaymentMethod.
 */
type Intent = { id: string; status: string; last_payment_error?: { code?: string; decline_code?: string; message?: string } | null };

function intentOutcome(pi: Intent): ChargeOutcome {
  if (pi.status === 'succeeded') return { status: 'succeeded', providerRef: pi.id };
  if (pi.status === 'processing' || pi.status === 'requires_capture') return { status: 'unknown', code: `intent_${pi.status}`, message: `payment intent ${pi.id} is ${pi.status}` };
  const e = pi.last_payment_error;
  return { status: 'declined', code: e?.decline_code ?? e?.code ?? pi.status, message: e?.message ?? `payment intent ${pi.status}`, providerRef: pi.id };
}

/** An SDK error as an outcome: card and request errors are declines; network, 5xx and rate limits are unknown. */
function errorOutcome(error: unknown): { status: 'declined'; code: string; message: string; providerRef: string | null } | { status: 'unknown'; code: string; message: string } {
  if (error instanceof Stripe.errors.StripeCardError) {
    const pi = (error.raw as { payment_intent?: { id?: string } }).payment_intent;
    return { status: 'declined', code: error.decline_code ?? error.code ?? 'card_declined', message: error.message, providerRef: pi?.id ?? null };
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    const code = error.code === 'resource_missing' && /customer/i.test(error.message) ? 'customer_not_found' : (error.code ?? 'invalid_request');
    return { status: 'declined', code, message: error.message, providerRef: null };
  }
  if (error instanceof Stripe.errors.StripeError) return { status: 'unknown', code: error.type ?? 'stripe_error', message: error.message };
  return { status: 'unknown', code: 'network', message: error instanceof Error ? error.message : String(error) };
}

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(settings: StripeSettings) {
    this.stripe = new Stripe(settings.apiKey, {
      maxNetworkRetries: 0,
      timeout: settings.timeoutMs,
      telemetry: false,
      ...(settings.host ? { host: settings.host } : {}),
      ...(settings.port ? { port: settings.port } : {}),
      protocol: settings.protocol,
    });
  }

  async charge(req: ChargeRequest): Promise<ChargeOutcome> {
    try {
      const pi = await this.stripe.paymentIntents.create({
        amount: req.amountMinor,
        currency: req.currency.toLowerCase(),
        ...(req.customer.externalRef ? { customer: req.customer.externalRef } : {}),
        ...(req.customer.testData ? { payment_method: req.customer.testData } : {}),
        confirm: true,
        off_session: true,
        metadata: { billflow_invoice_id: String(req.invoiceId), billflow_key: req.idempotencyKey },
      }, { idempotencyKey: req.idempotencyKey });
      return intentOutcome(pi as Intent);
    } catch (error) {
      return errorOutcome(error);
    }
  }

  async retrieve(idempotencyKey: string): Promise<RetrieveOutcome> {
    try {
      const found = await this.stripe.paymentIntents.search({ query: `metadata['billflow_key']:'${idempotencyKey.replace(/'/g, '')}'`, limit: 1 });
      const pi = found.data[0];
      return pi ? intentOutcome(pi as Intent) : { status: 'not_found' };
    } catch (error) {
      const outcome = errorOutcome(error);
      return outcome.status === 'unknown' ? outcome : { status: 'unknown', code: outcome.code, message: outcome.message };
    }
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    if (req.chargeRef === null) return { status: 'failed', code: 'no_charge', message: 'Stripe refunds need the payment intent refunded' };
    try {
      const refund = await this.stripe.refunds.create({
        payment_intent: req.chargeRef, amount: req.amountMinor, metadata: { billflow_key: req.idempotencyKey },
      }, { idempotencyKey: req.idempotencyKey });
      if (refund.status === 'succeeded' || refund.status === 'pending') return { status: 'succeeded', providerRef: refund.id };
      return { status: 'failed', code: refund.failure_reason ?? refund.status ?? 'failed', message: `refund ${refund.status}` };
    } catch (error) {
      const outcome = errorOutcome(error);
      return outcome.status === 'unknown' ? outcome : { status: 'failed', code: outcome.code, message: outcome.message };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
