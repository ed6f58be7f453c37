/**
 * Refunds: a one-off line with a negative unit price that points at the payment it returns
 * money from. The refund may not exceed what is left of that payment after earlier refunds.
 */
import { z } from 'zod';
import {
  amountMinorSchema,
  conflict,
  inTransaction,
  isoDateSchema,
  lockCustomer,
  notFound,
  parseInput,
  recordIdSchema,
  run,
  todayOf,
  type Deps,
} from '../customers/index.ts';
import { chargesSql } from './charges-sql.ts';
import { productTextSchema } from './one-off.ts';
import { rowToOneOffCharge, type OneOffCharge, type OneOffChargeRow } from './types.ts';

export const createRefundSchema = z.strictObject({
  customerId: recordIdSchema,
  originalPaymentId: recordIdSchema,
  amountMinor: amountMinorSchema.min(1, { error: 'must be ≥ 1' }),
  /** Shown as the refund line's description. */
  reason: productTextSchema,
  /** Defaults to the clock's today. */
  refundedOn: isoDateSchema.optional(),
});
export type CreateRefundInput = z.input<typeof createRefundSchema>;

interface PaymentRow {
  id: number;
  customer_id: number;
  currency: string;
  amount_minor: number;
}

export async function createRefund(deps: Deps, input: CreateRefundInput): Promise<OneOffCharge> {
  const r = parseInput(createRefundSchema, input);
  const refundedOn = r.refundedOn ?? todayOf(deps.clock);
  return inTransaction(deps.db, async (client) => {
    await lockCustomer(client, r.customerId);
    const payment = (await run<PaymentRow>(client, chargesSql.lockPayment(r.originalPaymentId))).rows[0];
    // Another customer's payment is reported as missing: ids must not reveal other accounts.
    if (payment === undefined || payment.customer_id !== r.customerId) {
      throw notFound('payment', [{ field: 'originalPaymentId', message: `customer ${r.customerId} has no payment ${r.originalPaymentId}` }]);
    }
    const refunded = (await run<{ refunded_minor: number }>(client, chargesSql.refundedMinor(payment.id))).rows[0]!.refunded_minor;
    const refundable = payment.amount_minor - refunded;
    if (r.amountMinor > refundable) {
      throw conflict('amountMinor', `exceeds what is left to refund of payment ${payment.id}: ${refundable} ${payment.currency} minor units`);
    }
    const sql = chargesSql.insertRefund({
      customerId: r.customerId, currency: payment.currency, amountMinor: r.amountMinor, reason: r.reason, refundedOn, paymentId: payment.id,
    });
    return rowToOneOffCharge((await run<OneOffChargeRow>(client, sql)).rows[0]!);
  });
}
