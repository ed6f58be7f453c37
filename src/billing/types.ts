/**
 * Plain data shapes shared by the billing stages. The loader (billing/load.ts) builds
 * CustomerInput and Catalog from Postgres; compute (billing/compute.ts) is a pure function
 * from those to a ComputeResult; persist (billing/persist.ts) writes InvoiceDraft rows.
 * Dates are ISO strings 'YYYY-MM-DD' (UTC calendar days); money is integer minor units (number,
 * always a safe integer); rates are decimal strings (percent).
 */

export type IsoDate = string;

export interface CurrencyInfo {
  code: string;
  exponent: number;
}

export interface TaxRateInfo {
  name: string; // 'CGST', 'SGST', 'IGST', 'VAT', 'Sales tax'
  ratePercent: string; // decimal string, e.g. '9', '19', '7.25'
  scope: 'intra' | 'inter' | 'all';
}

export interface TaxRegionInfo {
  code: string; // 'IN-MH', 'DE', 'US-NY'
  country: string;
  kind: 'gst' | 'vat' | 'sales' | 'consumption' | 'none';
  inclusive: boolean;
  rates: TaxRateInfo[];
}

export interface LegalEntityInfo {
  id: string;
  name: string;
  country: string;
  taxRegion: string;
  numberPrefix: string;
}

export interface Tier {
  upTo: number | null; // inclusive upper bound of units; null = infinity (last tier)
  unitAmount: number; // minor units per unit
  flatAmount: number; // minor units, added once when the tier is reached
}

export type ChargeProperties =
  | { model: 'flat'; amount: number }
  | { model: 'per_unit'; unitAmount: number }
  | { model: 'graduated'; tiers: Tier[] }
  | { model: 'volume'; tiers: Tier[] }
  | { model: 'package'; packageSize: number; amount: number; freeUnits: number }
  | {
      model: 'percentage';
      rate: string; // percent of the metered value (value is itself minor units)
      fixedAmount: number; // added once per period when the metered value is > 0
      minAmount: number | null;
      maxAmount: number | null;
    };

export interface PlanChargeInfo {
  id: string;
  productId: string;
  productName: string;
  taxExempt: boolean;
  metricCode: string | null; // null = fixed recurring charge (prorated by active days)
  aggregation: 'sum' | 'max' | 'unique_count' | null;
  position: number;
  /** Keyed by currency code. A missing currency makes the invoice invalid (unsupported currency). */
  prices: Map<string, ChargeProperties>;
}

export interface PlanInfo {
  id: string;
  name: string;
  trialDays: number;
  charges: PlanChargeInfo[];
}

export interface CouponInfo {
  id: string;
  name: string;
  kind: 'percentage' | 'fixed';
  percent: string | null;
  amountMinor: number | null;
  currency: string | null;
  durationPeriods: number | null; // null = forever
}

export interface ProductInfo {
  id: string;
  name: string;
  taxExempt: boolean;
}

export interface Catalog {
  currencies: Map<string, CurrencyInfo>;
  taxRegions: Map<string, TaxRegionInfo>;
  legalEntities: Map<string, LegalEntityInfo>;
  plans: Map<string, PlanInfo>;
  coupons: Map<string, CouponInfo>;
  products: Map<string, ProductInfo>;
}

export interface SubscriptionInput {
  id: number;
  planId: string;
  startedOn: IsoDate;
  trialEndsOn: IsoDate | null; // first paid day
  endedOn: IsoDate | null; // exclusive
}

/** Usage aggregated by SQL over the customer's billing window, one row per metric. */
export interface UsageAggregate {
  metricCode: string;
  sum: number;
  max: number;
  uniqueCount: number;
}

export interface LoanInput {
  id: number;
  currency: string;
  principalMinor: number;
  annualRate: string; // percent, decimal string
  tenureMonths: number;
  firstDueOn: IsoDate;
  emiMinor: number;
  lateFeeMinor: number;
  paidInstallments: number;
  status: 'active' | 'closed' | 'written_off';
}

export interface OneOffInput {
  id: number;
  kind: 'charge' | 'refund';
  productId: string;
  productName: string;
  quantity: number;
  unitPriceMinor: number; // negative for refunds
  currency: string;
  chargedOn: IsoDate;
  originalPaymentId: number | null;
  originalPaymentExists: boolean;
}

export interface CustomerCouponInput {
  couponId: string;
  appliedFrom: IsoDate;
}

export interface CustomerInput {
  id: number;
  name: string;
  currency: string;
  country: string;
  taxRegion: string | null;
  locale: string;
  legalEntityId: string;
  status: 'active' | 'suspended' | 'closed';
  billingAnchorDay: number;
  subscriptions: SubscriptionInput[];
  usage: UsageAggregate[];
  loans: LoanInput[];
  oneOffs: OneOffInput[];
  coupons: CustomerCouponInput[];
}

export interface TaxAmount {
  name: string;
  ratePercent: string;
  amountMinor: number;
}

export type LineKind =
  | 'subscription'
  | 'usage'
  | 'emi_principal'
  | 'emi_interest'
  | 'late_fee'
  | 'one_off'
  | 'refund';

export interface InvoiceLineDraft {
  lineNo: number; // 1-based
  kind: LineKind;
  description: string;
  productId: string | null;
  quantity: number;
  unitAmountMinor: number;
  amountMinor: number; // net of tax, before discount
  discountMinor: number;
  taxMinor: number;
  totalMinor: number; // amount - discount + tax
  taxBreakdown: TaxAmount[] | null; // null when untaxed
  serviceStart: IsoDate | null;
  serviceEnd: IsoDate | null; // exclusive
  /** EMI and late-fee lines: the loan and installment billed (null on every other line). */
  loanId: number | null;
  installmentSeq: number | null;
}

export interface InvoiceDraft {
  customerId: number;
  period: string; // 'YYYY-MM'
  source: string; // 'cycle' for billing runs
  legalEntityId: string;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxAmount[]; // summed per (name, rate)
  issueDate: IsoDate;
  dueDate: IsoDate;
  periodStart: IsoDate;
  periodEnd: IsoDate; // exclusive
  isCreditNote: boolean;
  lines: InvoiceLineDraft[];
}

export interface Reason {
  code: string; // 'negative_total', 'unsupported_currency', 'missing_tax_region', 'refund_without_payment', ...
  message: string;
  field?: string;
}

export type ComputeResult =
  | { status: 'ok'; invoice: InvoiceDraft }
  | { status: 'skipped'; customerId: number; reason: string }
  | { status: 'invalid'; customerId: number; reasons: Reason[]; draft: InvoiceDraft | null };

export interface ComputeContext {
  catalog: Catalog;
  period: string; // 'YYYY-MM'
  /** Days after the issue date that the invoice falls due. */
  netTermsDays: number;
  /** Issue date; normally the day after the billing window ends, or the run's clock. */
  issueDate: IsoDate;
}
