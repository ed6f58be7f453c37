/**
 * The seed catalog: products, billable metrics, plans (one per segment need, every charge model)
 * and coupons. Prices are written per currency in major units here and stored as minor units in
 * plan_charge_prices.properties, in exactly the ChargeProperties shape of src/billing/types.ts.
 */
import type { ChargeProperties, Tier } from '../billing/types.ts';
import { exponentOf } from '../money/currencies.ts';

export type SeedCurrency = 'USD' | 'EUR' | 'INR' | 'JPY' | 'GBP' | 'KWD';
export const MAIN_CURRENCIES: readonly SeedCurrency[] = ['USD', 'EUR', 'INR', 'JPY', 'GBP'];

/** Major-unit amounts per currency (JPY has no minor unit, KWD has three decimals). */
export type MajorPrices = Partial<Record<SeedCurrency, number>>;

export function toMinor(currency: string, major: number): number {
  return Math.round(major * 10 ** exponentOf(currency));
}

export interface SeedProduct {
  id: string;
  name: string;
  taxExempt: boolean;
}

export interface SeedMetric {
  code: string;
  name: string;
  aggregation: 'sum' | 'max' | 'unique_count';
  unit: string;
}

export const METRICS: readonly SeedMetric[] = [
  { code: 'api_calls', name: 'API calls', aggregation: 'sum', unit: 'call' },
  { code: 'storage_gb', name: 'Storage (peak GB)', aggregation: 'max', unit: 'GB' },
  { code: 'active_users', name: 'Active users', aggregation: 'unique_count', unit: 'user' },
  { code: 'sms_sent', name: 'SMS sent', aggregation: 'sum', unit: 'message' },
  { code: 'kwh', name: 'Electricity consumed', aggregation: 'sum', unit: 'kWh' },
  // Values are minor units of the customer's currency; the percentage charge takes a share.
  { code: 'transaction_volume', name: 'Payment volume', aggregation: 'sum', unit: 'minor unit' },
];

type TierSpec = readonly [upTo: number | null, unitPrice: MajorPrices];

/** A charge before currency expansion. `major` builds the properties for one currency. */
export interface SeedCharge {
  id: string;
  productId: string;
  metricCode: string | null;
  model: ChargeProperties['model'];
  properties: (currency: SeedCurrency) => ChargeProperties;
}

export interface SeedPlan {
  id: string;
  name: string;
  trialDays: number;
  currencies: readonly SeedCurrency[];
  charges: readonly SeedCharge[];
}

function amount(prices: MajorPrices, currency: SeedCurrency): number {
  const major = prices[currency];
  if (major === undefined) throw new Error(`no ${currency} price in ${JSON.stringify(prices)}`);
  return toMinor(currency, major);
}

function flat(id: string, productId: string, prices: MajorPrices): SeedCharge {
  return { id, productId, metricCode: null, model: 'flat', properties: (c) => ({ model: 'flat', amount: amount(prices, c) }) };
}

function perUnit(id: string, productId: string, metricCode: string, prices: MajorPrices): SeedCharge {
  return {
    id, productId, metricCode, model: 'per_unit',
    properties: (c) => ({ model: 'per_unit', unitAmount: amount(prices, c) }),
  };
}

function tiered(id: string, productId: string, metricCode: string, model: 'graduated' | 'volume', tiers: readonly TierSpec[]): SeedCharge {
  const build = (c: SeedCurrency): Tier[] =>
    tiers.map(([upTo, unit]) => ({ upTo, unitAmount: amount(unit, c), flatAmount: 0 }));
  return {
    id, productId, metricCode, model,
    properties: (c) => (model === 'graduated' ? { model, tiers: build(c) } : { model, tiers: build(c) }),
  };
}

function pack(id: string, productId: string, metricCode: string, packageSize: number, freeUnits: number, prices: MajorPrices): SeedCharge {
  return {
    id, productId, metricCode, model: 'package',
    properties: (c) => ({ model: 'package', packageSize, amount: amount(prices, c), freeUnits }),
  };
}

function percentage(id: string, productId: string, metricCode: string, rate: string, fixed: MajorPrices): SeedCharge {
  return {
    id, productId, metricCode, model: 'percentage',
    properties: (c) => ({ model: 'percentage', rate, fixedAmount: amount(fixed, c), minAmount: null, maxAmount: null }),
  };
}

// prettier-ignore
const STORAGE_TIERS: readonly TierSpec[] = [
  [100, { USD: 0.25, EUR: 0.23, GBP: 0.2, INR: 18, JPY: 35, KWD: 0.075 }],
  [1000, { USD: 0.2, EUR: 0.19, GBP: 0.16, INR: 15, JPY: 28, KWD: 0.06 }],
  [null, { USD: 0.15, EUR: 0.14, GBP: 0.12, INR: 11, JPY: 21, KWD: 0.045 }],
];

// prettier-ignore
export const PLANS: readonly SeedPlan[] = [
  {
    id: 'saas_starter', name: 'Starter', trialDays: 0, currencies: MAIN_CURRENCIES,
    charges: [
      flat('saas_starter_base', 'plan_starter', { USD: 29, EUR: 27, GBP: 23, INR: 1999, JPY: 4200 }),
      pack('saas_starter_api', 'api_calls', 'api_calls', 1000, 10_000, { USD: 1, EUR: 0.9, GBP: 0.8, INR: 80, JPY: 150 }),
      tiered('saas_starter_storage', 'storage', 'storage_gb', 'volume', STORAGE_TIERS),
      perUnit('saas_starter_seats', 'seats', 'active_users', { USD: 8, EUR: 7.5, GBP: 6.5, INR: 599, JPY: 1200 }),
    ],
  },
  {
    id: 'saas_growth', name: 'Growth', trialDays: 14, currencies: MAIN_CURRENCIES,
    charges: [
      flat('saas_growth_base', 'plan_growth', { USD: 99, EUR: 92, GBP: 79, INR: 6999, JPY: 14_800 }),
      pack('saas_growth_api', 'api_calls', 'api_calls', 1000, 50_000, { USD: 0.8, EUR: 0.75, GBP: 0.65, INR: 65, JPY: 120 }),
      tiered('saas_growth_storage', 'storage', 'storage_gb', 'volume', STORAGE_TIERS),
      perUnit('saas_growth_seats', 'seats', 'active_users', { USD: 7, EUR: 6.5, GBP: 5.5, INR: 499, JPY: 1000 }),
      pack('saas_growth_sms', 'sms', 'sms_sent', 1000, 0, { USD: 8, EUR: 7.5, GBP: 6.5, INR: 250, JPY: 1100 }),
    ],
  },
  {
    id: 'saas_scale', name: 'Scale', trialDays: 0, currencies: [...MAIN_CURRENCIES, 'KWD'],
    charges: [
      flat('saas_scale_base', 'plan_scale', { USD: 299, EUR: 279, GBP: 239, INR: 19_999, JPY: 44_800, KWD: 92 }),
      percentage('saas_scale_payments', 'payments', 'transaction_volume', '1.5', { USD: 0.3, EUR: 0.25, GBP: 0.2, INR: 3, JPY: 40, KWD: 0.1 }),
      tiered('saas_scale_seats', 'seats', 'active_users', 'graduated', [
        [10, { USD: 10, EUR: 9.5, GBP: 8, INR: 699, JPY: 1500, KWD: 3 }],
        [50, { USD: 8, EUR: 7.5, GBP: 6.5, INR: 599, JPY: 1200, KWD: 2.5 }],
        [null, { USD: 6, EUR: 5.5, GBP: 5, INR: 449, JPY: 900, KWD: 1.8 }],
      ]),
      pack('saas_scale_api', 'api_calls', 'api_calls', 1000, 100_000, { USD: 0.5, EUR: 0.47, GBP: 0.4, INR: 40, JPY: 75, KWD: 0.15 }),
      pack('saas_scale_sms', 'sms', 'sms_sent', 1000, 0, { USD: 7, EUR: 6.5, GBP: 5.5, INR: 220, JPY: 950, KWD: 2.1 }),
      tiered('saas_scale_storage', 'storage', 'storage_gb', 'volume', STORAGE_TIERS),
    ],
  },
  {
    id: 'utility_home', name: 'Home Electricity', trialDays: 0, currencies: MAIN_CURRENCIES,
    charges: [
      flat('utility_home_meter', 'meter_rental', { USD: 9.5, EUR: 8.9, GBP: 7.5, INR: 150, JPY: 1200 }),
      tiered('utility_home_energy', 'electricity', 'kwh', 'graduated', [
        [100, { USD: 0.12, EUR: 0.25, GBP: 0.24, INR: 4.5, JPY: 30 }],
        [300, { USD: 0.15, EUR: 0.3, GBP: 0.27, INR: 6.5, JPY: 36 }],
        [null, { USD: 0.2, EUR: 0.35, GBP: 0.3, INR: 8, JPY: 40 }],
      ]),
      perUnit('utility_home_network', 'grid_network', 'kwh', { USD: 0.03, EUR: 0.08, GBP: 0.05, INR: 1.2, JPY: 8 }),
      flat('utility_home_levy', 'renewable_levy', { USD: 2, EUR: 3.5, GBP: 2.5, INR: 45, JPY: 350 }),
    ],
  },
  {
    id: 'utility_business', name: 'Business Electricity', trialDays: 0, currencies: MAIN_CURRENCIES,
    charges: [
      flat('utility_business_meter', 'meter_rental', { USD: 25, EUR: 23, GBP: 19, INR: 450, JPY: 3500 }),
      tiered('utility_business_energy', 'electricity', 'kwh', 'volume', [
        [1000, { USD: 0.14, EUR: 0.28, GBP: 0.26, INR: 7.5, JPY: 34 }],
        [5000, { USD: 0.12, EUR: 0.25, GBP: 0.23, INR: 7, JPY: 31 }],
        [null, { USD: 0.1, EUR: 0.22, GBP: 0.2, INR: 6.5, JPY: 28 }],
      ]),
      perUnit('utility_business_network', 'grid_network', 'kwh', { USD: 0.025, EUR: 0.07, GBP: 0.045, INR: 1, JPY: 7 }),
      flat('utility_business_levy', 'renewable_levy', { USD: 6, EUR: 9, GBP: 7, INR: 150, JPY: 900 }),
    ],
  },
];

export interface SeedCoupon {
  id: string;
  name: string;
  kind: 'percentage' | 'fixed';
  percent: string | null;
  amountMinor: number | null;
  currency: SeedCurrency | null;
  durationPeriods: number | null;
}

const LOYALTY_CREDIT: Record<Exclude<SeedCurrency, 'KWD'>, number> = { USD: 5, EUR: 5, GBP: 4, INR: 400, JPY: 700 };

export const COUPONS: readonly SeedCoupon[] = [
  { id: 'WELCOME20', name: 'Welcome 20% off (3 months)', kind: 'percentage', percent: '20', amountMinor: null, currency: null, durationPeriods: 3 },
  ...MAIN_CURRENCIES.map(
    (c): SeedCoupon => ({
      id: `LOYALTY_${c}`,
      name: `Loyalty credit (${c})`,
      kind: 'fixed',
      percent: null,
      amountMinor: toMinor(c, LOYALTY_CREDIT[c as Exclude<SeedCurrency, 'KWD'>]),
      currency: c,
      durationPeriods: null,
    }),
  ),
];

/** One-off items (the genBill shape) for retail orders, with unit prices per currency. */
export interface RetailItem {
  productId: string;
  name: string;
  prices: MajorPrices;
}

// prettier-ignore
export const RETAIL_ITEMS: readonly RetailItem[] = [
  { productId: 'AD234', name: 'Premium T-Shirt', prices: { USD: 24.99, EUR: 22.99, GBP: 19.99, INR: 899, JPY: 2980 } },
  { productId: 'HD101', name: 'Zip Hoodie', prices: { USD: 54.99, EUR: 49.99, GBP: 44.99, INR: 1999, JPY: 6980 } },
  { productId: 'MG550', name: 'Ceramic Mug', prices: { USD: 12.5, EUR: 11.9, GBP: 9.99, INR: 349, JPY: 1480 } },
  { productId: 'CP310', name: 'Baseball Cap', prices: { USD: 19.99, EUR: 17.99, GBP: 15.99, INR: 599, JPY: 2480 } },
  { productId: 'BK742', name: 'Dot-Grid Notebook', prices: { USD: 9.99, EUR: 8.99, GBP: 7.49, INR: 249, JPY: 980 } },
  { productId: 'BT880', name: 'Steel Water Bottle', prices: { USD: 29.99, EUR: 27.99, GBP: 23.99, INR: 999, JPY: 3480 } },
  { productId: 'SK120', name: 'Socks (3-pack)', prices: { USD: 14.99, EUR: 13.99, GBP: 11.99, INR: 449, JPY: 1680 } },
  { productId: 'BG415', name: 'Canvas Tote Bag', prices: { USD: 17.5, EUR: 15.9, GBP: 13.5, INR: 499, JPY: 1980 } },
  { productId: 'EB900', name: 'Wireless Earbuds', prices: { USD: 89, EUR: 84.9, GBP: 74.99, INR: 3499, JPY: 11_800 } },
  { productId: 'PC230', name: 'Phone Case', prices: { USD: 24, EUR: 21.9, GBP: 18.99, INR: 699, JPY: 2680 } },
  { productId: 'LM640', name: 'LED Desk Lamp', prices: { USD: 39.9, EUR: 36.9, GBP: 32.5, INR: 1499, JPY: 4980 } },
  { productId: 'SH001', name: 'Express Shipping', prices: { USD: 7.95, EUR: 6.9, GBP: 4.99, INR: 99, JPY: 800 } },
];

/** One-off services billed beside subscriptions and loans. */
export const SERVICE_ITEMS = {
  onboarding: { productId: 'onboarding', name: 'Onboarding and setup', prices: { USD: 250, EUR: 230, GBP: 199, INR: 14_999, JPY: 35_000, KWD: 75 } },
  loanInsurance: { productId: 'loan_insurance', name: 'Loan protection insurance' },
} as const;

export const PRODUCTS: readonly SeedProduct[] = [
  { id: 'plan_starter', name: 'Starter plan', taxExempt: false },
  { id: 'plan_growth', name: 'Growth plan', taxExempt: false },
  { id: 'plan_scale', name: 'Scale plan', taxExempt: false },
  { id: 'api_calls', name: 'API calls (per 1,000)', taxExempt: false },
  { id: 'storage', name: 'Storage (GB)', taxExempt: false },
  { id: 'seats', name: 'Active users', taxExempt: false },
  { id: 'sms', name: 'SMS bundle (1,000 messages)', taxExempt: false },
  { id: 'payments', name: 'Payment processing', taxExempt: false },
  { id: 'meter_rental', name: 'Meter rental', taxExempt: false },
  { id: 'electricity', name: 'Electricity (kWh)', taxExempt: false },
  { id: 'grid_network', name: 'Network charge (kWh)', taxExempt: false },
  { id: 'renewable_levy', name: 'Renewable energy levy', taxExempt: false },
  // Loan principal and interest are financial services, outside GST/VAT; fees are taxable.
  { id: 'loan_principal', name: 'EMI principal', taxExempt: true },
  { id: 'loan_interest', name: 'EMI interest', taxExempt: true },
  { id: 'late_fee', name: 'Late payment fee', taxExempt: false },
  { id: SERVICE_ITEMS.loanInsurance.productId, name: SERVICE_ITEMS.loanInsurance.name, taxExempt: false },
  { id: SERVICE_ITEMS.onboarding.productId, name: SERVICE_ITEMS.onboarding.name, taxExempt: false },
  ...RETAIL_ITEMS.map((i) => ({ id: i.productId, name: i.name, taxExempt: false })),
];

export function planById(id: string): SeedPlan {
  const plan = PLANS.find((p) => p.id === id);
  if (!plan) throw new Error(`unknown seed plan ${id}`);
  return plan;
}

/** Distinct metric codes a plan meters, in charge order. */
export function planMetrics(plan: SeedPlan): string[] {
  const out: string[] = [];
  for (const c of plan.charges) if (c.metricCode !== null && !out.includes(c.metricCode)) out.push(c.metricCode);
  return out;
}
