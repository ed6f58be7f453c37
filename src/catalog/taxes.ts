/**
 * Tax on one invoice line. Rounding is per line and per component (each CGST/SGST/VAT amount is
 * rounded on its own line), half-even, as the invoice shows them; the invoice tax is the sum of
 * its lines' taxes, so a line total and the invoice total can always be re-added by hand.
 *
 * Which components apply (India GST, CGST Act s.9 / IGST Act s.5): a supply inside one state or
 * union territory pays CGST + SGST, a supply between states pays IGST. A rate's scope says which:
 * 'intra' when the buyer's region is the seller's region, 'inter' otherwise, 'all' always (EU and
 * UK VAT, US sales tax, Japan's consumption tax).
 *
 * Exclusive regions (prices before tax): component = round(net × rate).
 * Inclusive regions (prices include tax, e.g. consumer VAT): net = round(amount / (1 + Σ rates)),
 * tax = amount − net, split across components in proportion to their rates with the last
 * component taking the remainder, so the parts always add up to the whole.
 */
import type { InvoiceLineDraft, TaxAmount, TaxRateInfo, TaxRegionInfo } from '../billing/types.ts';
import { mulDivHalfEven, parseDecimal, percentOfMinor } from '../money/rounding.ts';

export interface TaxLine {
  netMinor: number;
  taxMinor: number;
  /** One entry per applicable component; null when the line is untaxed. */
  breakdown: TaxAmount[] | null;
}

/** The applicable components for one (region, intra/inter) case, with exact rate arithmetic. */
interface TaxPlan {
  rates: readonly TaxRateInfo[];
  /** Each rate as a numerator over the common denominator `den` (a power of ten). */
  numerators: readonly number[];
  /** Σ numerators. */
  sum: number;
  /** 100 × den: dividing a numerator by this gives the rate as a fraction. */
  hundredDen: number;
}

// Plans are derived from catalog objects that live for a whole run; a WeakMap frees them with it.
const plansByRegion = new WeakMap<TaxRegionInfo, { intra: TaxPlan | null; inter: TaxPlan | null }>();

export function taxLine(amountMinor: number, region: TaxRegionInfo, sellerRegion: string, taxExempt: boolean): TaxLine {
  if (taxExempt || region.kind === 'none') return untaxed(amountMinor);
  const plan = planFor(region, region.code === sellerRegion);
  if (plan === null) return untaxed(amountMinor);
  return region.inclusive ? inclusiveTax(amountMinor, plan) : exclusiveTax(amountMinor, plan);
}

/**
 * Taxes an invoice line in place on amount − discount. In a tax-inclusive region the priced
 * amount is gross; the line keeps the invoice's meaning (amountMinor = net before discount,
 * discountMinor = the discount net of tax, taxMinor = tax on what is actually charged), so
 * amount − discount + tax = the gross amount charged. Sets taxMinor and taxBreakdown, not totalMinor.
 */
export function taxInvoiceLine(line: InvoiceLineDraft, region: TaxRegionInfo, sellerRegion: string, taxExempt: boolean): void {
  const charged = taxLine(line.amountMinor - line.discountMinor, region, sellerRegion, taxExempt);
  if (region.inclusive && charged.breakdown !== null) {
    const net = line.discountMinor === 0 ? charged.netMinor : taxLine(line.amountMinor, region, sellerRegion, false).netMinor;
    line.discountMinor = net - charged.netMinor;
    line.amountMinor = net;
  }
  line.taxMinor = charged.taxMinor;
  line.taxBreakdown = charged.breakdown;
}

/** Adds tax components into per-(name, rate) sums: the invoice-level tax breakdown. */
export function addTaxAmounts(sums: TaxAmount[], parts: readonly TaxAmount[]): void {
  outer: for (const part of parts) {
    for (const sum of sums) {
      if (sum.name === part.name && sum.ratePercent === part.ratePercent) {
        sum.amountMinor += part.amountMinor;
        continue outer;
      }
    }
    sums.push({ name: part.name, ratePercent: part.ratePercent, amountMinor: part.amountMinor });
  }
}

function untaxed(amountMinor: number): TaxLine {
  return { netMinor: amountMinor, taxMinor: 0, breakdown: null };
}

function exclusiveTax(netMinor: number, plan: TaxPlan): TaxLine {
  const breakdown: TaxAmount[] = new Array(plan.rates.length);
  let taxMinor = 0;
  for (let i = 0; i < plan.rates.length; i++) {
    const rate = plan.rates[i] as TaxRateInfo;
    const amount = percentOfMinor(netMinor, rate.ratePercent);
    taxMinor += amount;
    breakdown[i] = { name: rate.name, ratePercent: rate.ratePercent, amountMinor: amount };
  }
  return { netMinor, taxMinor, breakdown };
}

function inclusiveTax(grossMinor: number, plan: TaxPlan): TaxLine {
  // net = gross × 100·den / (100·den + Σ) — e.g. 120.00 at 20%: 12000 × 100 / 120 = 10000.
  const netMinor = plan.sum === 0 ? grossMinor : mulDivHalfEven(grossMinor, plan.hundredDen, plan.hundredDen + plan.sum);
  const taxMinor = grossMinor - netMinor;
  const breakdown: TaxAmount[] = new Array(plan.rates.length);
  let allocated = 0;
  for (let i = 0; i < plan.rates.length; i++) {
    const rate = plan.rates[i] as TaxRateInfo;
    const last = i === plan.rates.length - 1;
    const share = last ? taxMinor - allocated : plan.sum === 0 ? 0 : mulDivHalfEven(taxMinor, plan.numerators[i] as number, plan.sum);
    allocated += share;
    breakdown[i] = { name: rate.name, ratePercent: rate.ratePercent, amountMinor: share };
  }
  return { netMinor, taxMinor, breakdown };
}

function planFor(region: TaxRegionInfo, intra: boolean): TaxPlan | null {
  let plans = plansByRegion.get(region);
  if (plans === undefined) {
    plans = { intra: buildPlan(region.rates, 'intra'), inter: buildPlan(region.rates, 'inter') };
    plansByRegion.set(region, plans);
  }
  return intra ? plans.intra : plans.inter;
}

function buildPlan(allRates: readonly TaxRateInfo[], scope: 'intra' | 'inter'): TaxPlan | null {
  const rates = allRates.filter((r) => r.scope === 'all' || r.scope === scope);
  if (rates.length === 0) return null;
  const decimals = rates.map((r) => parseDecimal(r.ratePercent));
  const den = decimals.reduce((max, d) => (d.den > max ? d.den : max), 1n);
  const numerators = decimals.map((d) => Number(d.num * (den / d.den)));
  const sum = numerators.reduce((a, b) => a + b, 0);
  return { rates, numerators, sum, hundredDen: Number(den * 100n) };
}
