/**
 * The checks an invoice draft must pass before it is persisted; a draft with reasons is
 * quarantined (quarantined_invoices) for a person, never issued. Business rules first (what the
 * finance and lending teams asked for), then arithmetic sanity: a draft whose lines do not add up
 * to its totals is a bug upstream, and catching it here keeps it out of the ledger.
 */
import type { Catalog, CustomerInput, InvoiceDraft, InvoiceLineDraft, Reason, TaxAmount } from './types.ts';

export function validateInvoice(draft: InvoiceDraft, customer: CustomerInput, catalog: Catalog): Reason[] {
  const reasons: Reason[] = [];
  if (draft.totalMinor < 0 && !draft.isCreditNote) {
    reasons.push({ code: 'negative_total', message: `total ${draft.totalMinor} is negative; issue a credit note instead`, field: 'totalMinor' });
  }
  if (!catalog.currencies.has(draft.currency)) {
    reasons.push({ code: 'unsupported_currency', message: `currency ${draft.currency} is not supported`, field: 'customer.currency' });
  }
  if (customer.taxRegion === null || !catalog.taxRegions.has(customer.taxRegion)) {
    const message = customer.taxRegion === null ? 'customer has no tax region' : `tax region ${customer.taxRegion} is unknown`;
    reasons.push({ code: 'missing_tax_region', message, field: 'customer.taxRegion' });
  }
  checkRefunds(draft, customer, reasons);
  checkLines(draft.lines, reasons);
  checkTotals(draft, reasons);
  return reasons;
}

/** A refund must point at a payment that exists, or money could leave for nothing received. */
function checkRefunds(draft: InvoiceDraft, customer: CustomerInput, reasons: Reason[]): void {
  const { oneOffs } = customer;
  for (let i = 0; i < oneOffs.length; i++) {
    const item = oneOffs[i]!;
    if (item.kind !== 'refund' || item.chargedOn < draft.periodStart || item.chargedOn >= draft.periodEnd) continue;
    if (item.originalPaymentId !== null && item.originalPaymentExists) continue;
    const message =
      item.originalPaymentId === null
        ? `refund ${item.id} does not reference a payment`
        : `refund ${item.id} references payment ${item.originalPaymentId}, which does not exist`;
    reasons.push({ code: 'refund_without_payment', message, field: `oneOffs[${i}].originalPaymentId` });
  }
}

// Runs for every line of every invoice: no allocation unless a reason is found (field names are
// built only then).
function checkLines(lines: readonly InvoiceLineDraft[], reasons: Reason[]): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.lineNo !== i + 1) {
      reasons.push({ code: 'line_numbering', message: `line ${i + 1} is numbered ${line.lineNo}`, field: `lines[${i}].lineNo` });
    }
    if (
      !Number.isSafeInteger(line.amountMinor) || !Number.isSafeInteger(line.discountMinor) || !Number.isSafeInteger(line.taxMinor)
      || !Number.isSafeInteger(line.totalMinor) || !Number.isSafeInteger(line.unitAmountMinor) || !Number.isSafeInteger(line.quantity)
    ) {
      reasons.push({ code: 'unsafe_amount', message: `line ${line.lineNo} has an amount that is not a safe integer`, field: `lines[${i}]` });
      continue; // the sums below would be meaningless
    }
    if (line.totalMinor !== line.amountMinor - line.discountMinor + line.taxMinor) {
      reasons.push({ code: 'totals_mismatch', message: `line ${line.lineNo}: total ≠ amount − discount + tax`, field: `lines[${i}].totalMinor` });
    }
    if (line.discountMinor < 0 || line.discountMinor > Math.max(line.amountMinor, 0)) {
      reasons.push({ code: 'invalid_discount', message: `line ${line.lineNo}: discount ${line.discountMinor} outside 0..amount`, field: `lines[${i}].discountMinor` });
    }
    const breakdownSum = line.taxBreakdown === null ? 0 : sumTaxes(line.taxBreakdown);
    if (breakdownSum !== line.taxMinor) {
      reasons.push({ code: 'totals_mismatch', message: `line ${line.lineNo}: tax ≠ sum of its components`, field: `lines[${i}].taxBreakdown` });
    }
  }
}

function checkTotals(draft: InvoiceDraft, reasons: Reason[]): void {
  if (!allSafe(draft.subtotalMinor, draft.discountMinor, draft.taxMinor, draft.totalMinor)) {
    reasons.push({ code: 'unsafe_amount', message: 'an invoice total is not a safe integer', field: 'totalMinor' });
    return;
  }
  let amount = 0, discount = 0, tax = 0, total = 0;
  for (const line of draft.lines) {
    amount += line.amountMinor;
    discount += line.discountMinor;
    tax += line.taxMinor;
    total += line.totalMinor;
  }
  checkSum(reasons, 'subtotalMinor', draft.subtotalMinor, amount);
  checkSum(reasons, 'discountMinor', draft.discountMinor, discount);
  checkSum(reasons, 'taxMinor', draft.taxMinor, tax);
  checkSum(reasons, 'totalMinor', draft.totalMinor, total);
  if (draft.totalMinor !== draft.subtotalMinor - draft.discountMinor + draft.taxMinor) {
    reasons.push({ code: 'totals_mismatch', message: 'total ≠ subtotal − discount + tax', field: 'totalMinor' });
  }
  if (sumTaxes(draft.taxBreakdown) !== draft.taxMinor) {
    reasons.push({ code: 'totals_mismatch', message: 'tax ≠ sum of the tax breakdown', field: 'taxBreakdown' });
  }
}

function sumTaxes(parts: readonly TaxAmount[]): number {
  let sum = 0;
  for (const part of parts) sum += part.amountMinor;
  return sum;
}

function checkSum(reasons: Reason[], field: string, stated: number, summed: number): void {
  if (stated !== summed) reasons.push({ code: 'totals_mismatch', message: `${field} is ${stated}, its lines add up to ${summed}`, field });
}

function allSafe(a: number, b: number, c: number, d: number): boolean {
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(c) && Number.isSafeInteger(d);
}
