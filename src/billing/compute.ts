/**
 * One customer's invoice for one period: pure, synchronous, no I/O (design convention 1). It runs
 * a million times per run, so it walks plain arrays, formats no money (no Intl) and allocates
 * little beyond the lines it returns. Bad data for one customer is a value ('invalid' with every
 * reason found), never an exception that would fail the shard.
 *
 * Order: lines (subscriptions by plan-charge position, loans, one-offs) → coupons (percentage,
 * then fixed) → tax per line on amount − discount → totals. docs/billing-math.md has the rules.
 */
import { BillflowError } from '../errors.ts';
import { chargeAmountMinor } from '../catalog/charge-models.ts';
import { allocateDiscount, couponApplies } from '../catalog/discounts.ts';
import { addTaxAmounts, taxInvoiceLine } from '../catalog/taxes.ts';
import { installmentsDueIn, overdueInstallments, type Installment } from '../loans/emi.ts';
import { activeInterval, prorateMinor, type ActiveInterval } from '../subscriptions/proration.ts';
import { addDays, billingWindow, daysBetween, type DateWindow } from './calendar.ts';
import type {
  ComputeContext, ComputeResult, CustomerInput, InvoiceDraft, InvoiceLineDraft, LineKind,
  PlanChargeInfo, PlanInfo, Reason, TaxAmount, UsageAggregate,
} from './types.ts';
import { validateInvoice } from './validate.ts';

/** Everything one computation accumulates; `exempt[i]` says whether line i is tax-exempt. */
interface Builder {
  customer: CustomerInput;
  ctx: ComputeContext;
  window: DateWindow;
  windowDays: number;
  lines: InvoiceLineDraft[];
  exempt: boolean[];
  reasons: Reason[];
}

const LATE_FEE_PRODUCT_ID = 'late_fee';

export function computeInvoice(customer: CustomerInput, ctx: ComputeContext): ComputeResult {
  if (customer.status !== 'active') return { status: 'skipped', customerId: customer.id, reason: 'customer_not_active' };
  if (customer.subscriptions.length === 0 && customer.loans.length === 0 && customer.oneOffs.length === 0) {
    return { status: 'skipped', customerId: customer.id, reason: 'nothing_to_bill' };
  }
  const anchor = customer.billingAnchorDay;
  if (!Number.isInteger(anchor) || anchor < 1 || anchor > 31) {
    const reason = { code: 'invalid_anchor_day', message: `billing anchor day must be 1–31, got ${anchor}`, field: 'customer.billingAnchorDay' };
    return { status: 'invalid', customerId: customer.id, reasons: [reason], draft: null };
  }
  // An invalid ctx.period throws: it is the run's input, wrong for every customer alike.
  const window = billingWindow(ctx.period, anchor);
  const b: Builder = {
    customer, ctx, window, windowDays: windowLength(window), lines: [], exempt: [], reasons: [],
  };
  addSubscriptionLines(b);
  addLoanLines(b);
  addOneOffLines(b);
  if (b.lines.length === 0 && b.reasons.length === 0) {
    return { status: 'skipped', customerId: customer.id, reason: 'nothing_to_bill' };
  }
  applyCoupons(b);
  applyTaxes(b);
  const draft = buildDraft(b);
  const reasons = mergeReasons(b.reasons, validateInvoice(draft, customer, ctx.catalog));
  return reasons.length === 0 ? { status: 'ok', invoice: draft } : { status: 'invalid', customerId: customer.id, reasons, draft };
}

// ── lines ──

function addSubscriptionLines(b: Builder): void {
  const { subscriptions } = b.customer;
  for (let i = 0; i < subscriptions.length; i++) {
    const sub = subscriptions[i]!;
    const plan = b.ctx.catalog.plans.get(sub.planId);
    if (plan === undefined) {
      b.reasons.push({ code: 'unknown_plan', message: `plan ${sub.planId} is not in the catalog`, field: `subscriptions[${i}].planId` });
      continue;
    }
    let interval: ActiveInterval | null;
    try {
      interval = activeInterval(b.window, sub);
    } catch (error) {
      recordError(b, error, `subscriptions[${i}]`);
      continue;
    }
    if (interval === null) continue; // not started, ended, or in trial for the whole window
    for (const charge of chargesByPosition(plan)) {
      try {
        addChargeLine(b, i, plan, charge, interval);
      } catch (error) {
        recordError(b, error, `subscriptions[${i}].planId`);
      }
    }
  }
}

/** Fixed charges: quantity 1, prorated by paid days. Metered: priced on usage, not prorated. */
function addChargeLine(b: Builder, index: number, plan: PlanInfo, charge: PlanChargeInfo, interval: ActiveInterval): void {
  const props = charge.prices.get(b.customer.currency);
  if (props === undefined) {
    const message = `plan ${plan.id} charge ${charge.id} has no ${b.customer.currency} price`;
    b.reasons.push({ code: 'missing_price', message, field: `subscriptions[${index}].planId` });
    return;
  }
  if (charge.metricCode === null) {
    const full = chargeAmountMinor(props, 1).amountMinor;
    const prorated = interval.days < b.windowDays;
    const amount = prorated ? prorateMinor(full, interval.days, b.windowDays) : full;
    const description = prorated ? `${chargeLabel(plan, charge)} (${interval.days}/${b.windowDays} days)` : chargeLabel(plan, charge);
    pushLine(b, 'subscription', description, charge.productId, 1, amount, amount, charge.taxExempt, interval.start, interval.end);
  } else if (ownsMetric(b, index, interval, charge.metricCode)) {
    const quantity = usageQuantity(b.customer.usage, charge);
    const priced = chargeAmountMinor(props, quantity);
    const description = chargeLabel(plan, charge);
    pushLine(b, 'usage', description, charge.productId, quantity, priced.unitAmountMinor, priced.amountMinor, charge.taxExempt, b.window.start, b.window.end);
  }
}

/**
 * Usage is aggregated per customer over the whole window, not per subscription, so after a plan
 * change both plans may meter the same metric. It is billed once, by the subscription whose paid
 * interval ends last (the plan in force at the end of the window; the earlier one on a tie).
 */
function ownsMetric(b: Builder, index: number, interval: ActiveInterval, metricCode: string): boolean {
  const { subscriptions } = b.customer;
  for (let j = 0; j < subscriptions.length; j++) {
    if (j === index) continue;
    const plan = b.ctx.catalog.plans.get(subscriptions[j]!.planId);
    if (plan === undefined || !plan.charges.some((c) => c.metricCode === metricCode)) continue;
    let other: ActiveInterval | null = null;
    try {
      other = activeInterval(b.window, subscriptions[j]!);
    } catch {
      continue; // reported on that subscription's own turn
    }
    if (other !== null && (other.end > interval.end || (other.end === interval.end && j < index))) return false;
  }
  return true;
}

function usageQuantity(usage: readonly UsageAggregate[], charge: PlanChargeInfo): number {
  for (const row of usage) {
    if (row.metricCode !== charge.metricCode) continue;
    return charge.aggregation === 'max' ? row.max : charge.aggregation === 'unique_count' ? row.uniqueCount : row.sum;
  }
  return 0; // no usage: still a line, quantity 0
}

function addLoanLines(b: Builder): void {
  const { loans } = b.customer;
  for (let i = 0; i < loans.length; i++) {
    const loan = loans[i]!;
    if (loan.status !== 'active') continue;
    if (loan.currency !== b.customer.currency) {
      b.reasons.push(currencyMismatch(`loans[${i}].currency`, `loan ${loan.id}`, loan.currency, b.customer.currency));
      continue;
    }
    let due: Installment[];
    let overdue: Installment[];
    try {
      due = installmentsDueIn(loan, b.window);
      overdue = loan.lateFeeMinor > 0 ? overdueInstallments(loan, b.window.start) : [];
    } catch (error) {
      recordError(b, error, `loans[${i}]`);
      continue;
    }
    for (const inst of due) {
      if (inst.seq <= loan.paidInstallments) continue; // paid ahead of its due date: nothing to bill
      const label = `EMI ${inst.seq}/${loan.tenureMonths}`;
      // The loan and installment go on the lines: paying the invoice advances exactly these (src/loans/installments.ts).
      pushLine(b, 'emi_principal', `${label} — principal`, 'emi_principal', 1, inst.principalMinor, inst.principalMinor, true, null, null, loan.id, inst.seq);
      pushLine(b, 'emi_interest', `${label} — interest`, 'emi_interest', 1, inst.interestMinor, inst.interestMinor, true, null, null, loan.id, inst.seq);
    }
    if (overdue.length > 0) {
      const exempt = b.ctx.catalog.products.get(LATE_FEE_PRODUCT_ID)?.taxExempt ?? false;
      for (const inst of overdue) {
        const description = `Late fee — EMI ${inst.seq}/${loan.tenureMonths} due ${inst.dueOn}`;
        pushLine(b, 'late_fee', description, LATE_FEE_PRODUCT_ID, 1, loan.lateFeeMinor, loan.lateFeeMinor, exempt, null, null, loan.id, inst.seq);
      }
    }
  }
}

function addOneOffLines(b: Builder): void {
  const { oneOffs } = b.customer;
  for (let i = 0; i < oneOffs.length; i++) {
    const item = oneOffs[i]!;
    if (item.chargedOn < b.window.start || item.chargedOn >= b.window.end) continue; // ISO dates compare as strings
    if (item.currency !== b.customer.currency) {
      b.reasons.push(currencyMismatch(`oneOffs[${i}].currency`, `one-off ${item.id}`, item.currency, b.customer.currency));
      continue;
    }
    const product = item.quantity * item.unitPriceMinor;
    if (!Number.isSafeInteger(product)) {
      const message = `${item.quantity} × ${item.unitPriceMinor} is beyond the safe integer range`;
      b.reasons.push({ code: 'amount_overflow', message, field: `oneOffs[${i}].quantity` });
      continue;
    }
    const refund = item.kind === 'refund';
    // A refund is money going back: always negative, whatever sign the row was stored with.
    const amount = refund ? -Math.abs(product) : product;
    const unit = refund ? -Math.abs(item.unitPriceMinor) : item.unitPriceMinor;
    const exempt = b.ctx.catalog.products.get(item.productId)?.taxExempt ?? false;
    pushLine(b, refund ? 'refund' : 'one_off', item.productName, item.productId, item.quantity, unit, amount, exempt, item.chargedOn, null);
  }
}

function pushLine(
  b: Builder, kind: LineKind, description: string, productId: string | null, quantity: number,
  unitAmountMinor: number, amountMinor: number, taxExempt: boolean, serviceStart: string | null, serviceEnd: string | null,
  loanId: number | null = null, installmentSeq: number | null = null,
): void {
  b.lines.push({
    lineNo: b.lines.length + 1, kind, description, productId, quantity, unitAmountMinor, amountMinor,
    discountMinor: 0, taxMinor: 0, totalMinor: amountMinor, taxBreakdown: null, serviceStart, serviceEnd, loanId, installmentSeq,
  });
  b.exempt.push(taxExempt);
}

// ── discounts and taxes ──

/** Coupons never touch refunds (negative) or EMI principal/interest: those lines weigh 0. */
function discountWeight(line: InvoiceLineDraft): number {
  if (line.kind === 'emi_principal' || line.kind === 'emi_interest' || line.kind === 'refund') return 0;
  return line.amountMinor > 0 ? line.amountMinor - line.discountMinor : 0;
}

function applyCoupons(b: Builder): void {
  const { coupons } = b.customer;
  if (coupons.length === 0) return;
  const applicable: number[] = []; // indexes into customer.coupons
  for (let i = 0; i < coupons.length; i++) {
    const entry = coupons[i]!;
    const coupon = b.ctx.catalog.coupons.get(entry.couponId);
    if (coupon === undefined) {
      b.reasons.push({ code: 'unknown_coupon', message: `coupon ${entry.couponId} is not in the catalog`, field: `coupons[${i}].couponId` });
    } else if (couponApplies(coupon, entry.appliedFrom, b.window.start)) {
      applicable.push(i);
    }
  }
  // Percentage coupons first, then fixed ones on what is left (a fixed amount is never scaled).
  for (const kind of COUPON_ORDER) {
    for (const i of applicable) {
      const coupon = b.ctx.catalog.coupons.get(coupons[i]!.couponId)!;
      if (coupon.kind !== kind) continue;
      try {
        const shares = allocateDiscount(b.lines.map(discountWeight), coupon, b.customer.currency);
        for (let k = 0; k < shares.length; k++) b.lines[k]!.discountMinor += shares[k]!;
      } catch (error) {
        recordError(b, error, `coupons[${i}].couponId`);
      }
    }
  }
}

const COUPON_ORDER = ['percentage', 'fixed'] as const;

/** Tax per line on amount − discount (taxInvoiceLine explains tax-inclusive regions). */
function applyTaxes(b: Builder): void {
  const { catalog } = b.ctx;
  const region = b.customer.taxRegion === null ? undefined : catalog.taxRegions.get(b.customer.taxRegion);
  const entity = catalog.legalEntities.get(b.customer.legalEntityId);
  if (entity === undefined) {
    const message = `legal entity ${b.customer.legalEntityId} is not in the catalog`;
    b.reasons.push({ code: 'unknown_legal_entity', message, field: 'customer.legalEntityId' });
  }
  // An unknown region is reported by validateInvoice (missing_tax_region); lines stay untaxed.
  if (region !== undefined && entity !== undefined) {
    try {
      for (let i = 0; i < b.lines.length; i++) taxInvoiceLine(b.lines[i]!, region, entity.taxRegion, b.exempt[i]!);
    } catch (error) {
      recordError(b, error, 'customer.taxRegion'); // a malformed rate in the region's catalog rows
    }
  }
  for (const line of b.lines) line.totalMinor = line.amountMinor - line.discountMinor + line.taxMinor;
}

// ── draft ──

function buildDraft(b: Builder): InvoiceDraft {
  let subtotalMinor = 0, discountMinor = 0, taxMinor = 0;
  const taxBreakdown: TaxAmount[] = [];
  for (const line of b.lines) {
    subtotalMinor += line.amountMinor;
    discountMinor += line.discountMinor;
    taxMinor += line.taxMinor;
    if (line.taxBreakdown !== null) addTaxAmounts(taxBreakdown, line.taxBreakdown);
  }
  return {
    customerId: b.customer.id, period: b.ctx.period, source: 'cycle', legalEntityId: b.customer.legalEntityId,
    currency: b.customer.currency, subtotalMinor, discountMinor, taxMinor, totalMinor: subtotalMinor - discountMinor + taxMinor,
    taxBreakdown, issueDate: b.ctx.issueDate, dueDate: addDays(b.ctx.issueDate, b.ctx.netTermsDays),
    periodStart: b.window.start, periodEnd: b.window.end, isCreditNote: false, lines: b.lines,
  };
}

// ── helpers ──

/** Days of a window: billingWindow() shares one frozen object per (period, anchor), so once each. */
const windowLengths = new WeakMap<DateWindow, number>();

function windowLength(window: DateWindow): number {
  let days = windowLengths.get(window);
  if (days === undefined) {
    days = daysBetween(window.start, window.end);
    windowLengths.set(window, days);
  }
  return days;
}

/** 'Pro plan — Seats': one string per charge, not one per line (a charge belongs to one plan). */
const chargeLabels = new WeakMap<PlanChargeInfo, string>();

function chargeLabel(plan: PlanInfo, charge: PlanChargeInfo): string {
  let label = chargeLabels.get(charge);
  if (label === undefined) {
    label = `${plan.name} plan — ${charge.productName}`;
    chargeLabels.set(charge, label);
  }
  return label;
}

/** Plan charges by position, sorted once per plan object (the catalog lives for the whole run). */
const sortedCharges = new WeakMap<PlanInfo, readonly PlanChargeInfo[]>();

function chargesByPosition(plan: PlanInfo): readonly PlanChargeInfo[] {
  let charges = sortedCharges.get(plan);
  if (charges === undefined) {
    charges = [...plan.charges].sort((x, y) => x.position - y.position);
    sortedCharges.set(plan, charges);
  }
  return charges;
}

/** Bad input a helper rejected (a malformed date, rate or tier) becomes a reason for this customer;
 * anything else is a bug and propagates. */
function recordError(b: Builder, error: unknown, field: string): void {
  if (!(error instanceof BillflowError)) throw error;
  b.reasons.push({ code: error.code, message: error.message, field });
}

function currencyMismatch(field: string, what: string, currency: string, customerCurrency: string): Reason {
  return { code: 'currency_mismatch', message: `${what} is in ${currency}, the customer is billed in ${customerCurrency}`, field };
}

function mergeReasons(first: Reason[], second: Reason[]): Reason[] {
  if (second.length === 0) return first;
  const seen = new Set(first.map((r) => `${r.code}|${r.field ?? ''}`));
  for (const r of second) if (!seen.has(`${r.code}|${r.field ?? ''}`)) first.push(r);
  return first;
}
