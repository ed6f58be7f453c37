import type { IsoDate } from '../billing/types.ts';

export interface OneOffCharge {
  id: number;
  customerId: number;
  kind: 'charge' | 'refund';
  productId: string;
  productName: string;
  quantity: number;
  /** Negative for a refund. */
  unitPriceMinor: number;
  currency: string;
  chargedOn: IsoDate;
  originalPaymentId: number | null;
  createdAt: string;
}

export interface OneOffChargeRow {
  id: number;
  customer_id: number;
  kind: 'charge' | 'refund';
  product_id: string;
  product_name: string;
  quantity: number;
  unit_price_minor: number;
  currency: string;
  charged_on: string;
  original_payment_id: number | null;
  created_at: Date;
}

export function rowToOneOffCharge(r: OneOffChargeRow): OneOffCharge {
  return {
    id: r.id, customerId: r.customer_id, kind: r.kind, productId: r.product_id, productName: r.product_name,
    quantity: r.quantity, unitPriceMinor: r.unit_price_minor, currency: r.currency, chargedOn: r.charged_on,
    originalPaymentId: r.original_payment_id, createdAt: r.created_at.toISOString(),
  };
}
