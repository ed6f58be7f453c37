/**
 * What Billflow needs of a payment provider: charge, refund, retrieve. Expected outcomes are
 * values, never exceptions: a decline says why; a timeout, a 5xx or a lost answer is 'unknown'
 * (the charge may or may not have happened) and is settled later by retrieve(), never by
 * charging again.
 */
export interface ChargeRequest {
  idempotencyKey: string;
  invoiceId: number;
  customer: { id: number; externalRef: string | null; testData: string | null };
  amountMinor: number;
  currency: string;
}

export type ChargeOutcome =
  | { status: 'succeeded'; providerRef: string }
  | { status: 'declined'; code: string; message: string; providerRef: string | null }
  | { status: 'unknown'; code: string; message: string };

export type RetrieveOutcome = ChargeOutcome | { status: 'not_found' };

export interface RefundRequest {
  idempotencyKey: string;
  /** The provider's reference of the charge refunded; null refunds to the customer's method of record. */
  chargeRef: string | null;
  customer: { id: number; externalRef: string | null; testData: string | null };
  amountMinor: number;
  currency: string;
}

export type RefundOutcome =
  | { status: 'succeeded'; providerRef: string }
  | { status: 'failed'; code: string; message: string }
  | { status: 'unknown'; code: string; message: string };

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** The outcome of the charge made with this key, or not_found if the provider never made it. */
  retrieve(idempotencyKey: string): Promise<RetrieveOutcome>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
  close(): Promise<void>;
}

export const DECLINE_CODES = ['insufficient_funds', 'card_declined', 'currency_mismatch', 'customer_not_found'] as const;
