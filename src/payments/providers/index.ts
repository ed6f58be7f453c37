import type pg from 'pg';
import type { PaymentsSettings } from '../settings.ts';
import { SandboxProvider } from './sandbox.ts';
import { StripeProvider } from './stripe.ts';
import type { PaymentProvider } from './types.ts';

export function createProvider(pool: pg.Pool, settings: PaymentsSettings): PaymentProvider {
  return settings.provider === 'stripe' ? new StripeProvider(settings.stripe) : new SandboxProvider(pool, settings.sandbox);
}
export { SandboxProvider, sandboxBehaviour } from './sandbox.ts';
export { StripeProvider } from './stripe.ts';
export * from './types.ts';
