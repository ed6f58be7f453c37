/**
 * One-off charges and refunds (the genBill line items), plus the genBill major-unit conversion.
 */
export { createOneOffCharges, createOneOffChargesSchema, oneOffItemSchema, MAX_ITEMS_PER_CALL } from './one-off.ts';
export type { CreateOneOffChargesInput, OneOffItem, OneOffChargesResult } from './one-off.ts';
export { createRefund, createRefundSchema } from './refund.ts';
export { getCharge, listCharges, listChargesSchema } from './list.ts';
export type { ListChargesInput } from './list.ts';
export type { CreateRefundInput } from './refund.ts';
export { itemsFromGenBill, genBillItemSchema, genBillItemsSchema } from './genbill.ts';
export type { GenBillItem } from './genbill.ts';
export type { OneOffCharge } from './types.ts';
