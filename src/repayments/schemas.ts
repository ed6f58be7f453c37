import { z } from 'zod';

/** One repayment: money a customer sent (an EMI by bank transfer or UPI, a card refund back…). */
export const repaymentSchema = z.strictObject({
  customerId: z.int().min(1),
  amountMinor: z.int().min(1, { error: 'must be a positive amount in minor units' }).max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'an ISO 4217 code such as INR' }),
  channel: z.string().trim().toLowerCase().min(1).max(40).describe('bank_transfer, upi, card, cash, …'),
  externalRef: z.string().trim().min(1).max(200).nullable().optional().describe("the bank's or UPI reference (UTR); the strongest duplicate key"),
  receivedAt: z.iso.datetime({ offset: true }).describe('when the money was received (the duplicate window is measured on this, not on upload time)'),
  loanId: z.int().min(1).nullable().optional(),
});
export type RepaymentInput = z.output<typeof repaymentSchema>;
