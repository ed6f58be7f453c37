/**
 * The pure part of a credit note: from an invoice, what earlier credit notes took off it and the
 * request, the credit note's lines, taxes and totals, and how it is settled (off what the
 * customer still owes, or as customer credit). No I/O: credit-notes.ts loads the inputs under
 * the invoice's row lock and writes the plan in one transaction.
 *
 * Taxes are reversed in proportion, and cumulatively: the tax taken by all credit notes so far
 * is round(tax × credited so far / base), so rounding never drifts, and the credit note that
 * completes a line (or the invoice) takes exactly what is left of it — a full credit reverses
 * every line, tax component and total to the unit.
 */
import { BillflowError } from '../errors.ts';
import { mulDivHalfEven } from '../money/rounding.ts';

export interface TaxPart {
  name: string;
  ratePercent: string;
  amountMinor: number;
}

export interface CreditableLine {
  lineNo: number;
  description: string;
  quantity: number;
  unitAmountMinor: number;
  amountMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxPart[] | null;
}

export interface CreditableInvoice {
  id: number;
  number: string;
  status: string;
  paymentStatus: string;
  /** A payment attempt is in flight or of unknown outcome: its amount is fixed, so no credit until it settles. */
  paymentInFlight: boolean;
  currency: string;
  issueDate: string;
  totalMinor: number;
  taxMinor: number;
  creditedMinor: number;
  /** Customer credit applied to it (src/payments/credit): paid, in part, already. */
  creditAppliedMinor: number;
  taxBreakdown: TaxPart[];
  lines: CreditableLine[];
}

/** What earlier credit notes of the invoice took: their tax parts (summed here per component), and quantities per line. */
export interface EarlierCredits {
  taxBreakdown: TaxPart[];
  quantityByLine: Map<number, number>;
}

export type CreditRequest =
  | { mode: 'full' }
  | { mode: 'amount'; amountMinor: number }
  | { mode: 'lines'; lines: { lineNo: number; quantity: number }[] };

export interface CreditNoteLinePlan {
  lineNo: number;
  invoiceLineNo: number | null;
  description: string;
  quantity: number;
  unitAmountMinor: number;
  amountMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxPart[] | null;
}

export interface CreditNotePlan {
  mode: 'full' | 'amount' | 'lines';
  lines: CreditNoteLinePlan[];
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxBreakdown: TaxPart[];
  /** Off what the customer still owed on the invoice (its amount due falls by this much). */
  receivableMinor: number;
  /** The rest, owed back to the customer (the invoice was paid). */
  customerCreditMinor: number;
}

function refused(code: string, field: string, message: string, httpStatus = 409): BillflowError {
  return new BillflowError(code, `${field}: ${message}`, { httpStatus, details: [{ field, message }] });
}

/**
 * What the customer still owes on the invoice: its total less credit notes and customer credit
 * applied while it is unpaid; nothing once it is paid (or needs no payment).
 */
export function amountDueMinor(i: { paymentStatus: string; totalMinor: number; creditedMinor: number; creditAppliedMinor: number }): number {
  return i.paymentStatus === 'pending' || i.paymentStatus === 'failed' ? Math.max(0, i.totalMinor - i.creditedMinor - i.creditAppliedMinor) : 0;
}

/** The share of `value` that `done + now` of `base` stands for, minus the share `done` stood for. */
function cumulativeShare(value: number, done: number, now: number, base: number): number {
  if (done + now === base) return value - mulDivHalfEven(value, done, base);
  return mulDivHalfEven(value, done + now, base) - mulDivHalfEven(value, done, base);
}

function sameTax(a: TaxPart, b: TaxPart): boolean {
  return a.name === b.name && a.ratePercent === b.ratePercent;
}

/** Sums tax parts per (name, rate), in first-seen order. */
export function sumTaxParts(parts: readonly TaxPart[]): TaxPart[] {
  const out: TaxPart[] = [];
  for (const p of parts) {
    const found = out.find((o) => sameTax(o, p));
    if (found) found.amountMinor += p.amountMinor;
    else out.push({ name: p.name, ratePercent: p.ratePercent, amountMinor: p.amountMinor });
  }
  return out;
}

/** Part of invoice line `line`: `quantity` more of it, after `done` were credited before. */
function creditLine(line: CreditableLine, done: number, quantity: number, lineNo: number): CreditNoteLinePlan {
  const share = (v: number) => (line.quantity === 0 ? v : cumulativeShare(v, done, quantity, line.quantity));
  const amountMinor = share(line.amountMinor);
  const discountMinor = share(line.discountMinor);
  const taxBreakdown = line.taxBreakdown === null ? null : line.taxBreakdown.map((t) => ({ ...t, amountMinor: share(t.amountMinor) }));
  const taxMinor = taxBreakdown === null ? share(line.taxMinor) : taxBreakdown.reduce((s, t) => s + t.amountMinor, 0);
  return {
    lineNo, invoiceLineNo: line.lineNo, description: line.description, quantity, unitAmountMinor: line.unitAmountMinor,
    amountMinor, discountMinor, taxMinor, totalMinor: amountMinor - discountMinor + taxMinor, taxBreakdown,
  };
}

function linesCredit(invoice: CreditableInvoice, earlier: EarlierCredits, wanted: { lineNo: number; quantity: number }[]): CreditNoteLinePlan[] {
  const seen = new Set<number>();
  return wanted.map((w, i) => {
    const line = invoice.lines.find((l) => l.lineNo === w.lineNo);
    if (line === undefined) throw refused('invoice_line_not_found', `lines[${i}].lineNo`, `invoice ${invoice.number} has no line ${w.lineNo}`, 404);
    if (seen.has(w.lineNo)) throw refused('invalid_input', `lines[${i}].lineNo`, `line ${w.lineNo} is given twice`, 400);
    seen.add(w.lineNo);
    if (line.totalMinor <= 0) throw refused('invalid_input', `lines[${i}].lineNo`, `line ${w.lineNo} is not a charge (its total is ${line.totalMinor}); only charged lines can be credited`, 400);
    const done = earlier.quantityByLine.get(line.lineNo) ?? 0;
    const left = line.quantity - done;
    if (w.quantity > left) {
      throw refused('credit_exceeds_invoice', `lines[${i}].quantity`, `line ${w.lineNo} has ${left} of ${line.quantity} left to credit, not ${w.quantity}`);
    }
    return creditLine(line, done, w.quantity, i + 1);
  });
}

/** A tax-inclusive amount off the invoice as one line, its tax in proportion (see the file comment). */
function amountCredit(invoice: CreditableInvoice, earlier: EarlierCredits, amountMinor: number, description: string): CreditNoteLinePlan {
  const base = invoice.totalMinor;
  const done = invoice.creditedMinor;
  const earlierTax = sumTaxParts(earlier.taxBreakdown);
  const taxBreakdown = invoice.taxBreakdown.map((t) => {
    const before = earlierTax.find((e) => sameTax(e, t))?.amountMinor ?? 0;
    const left = t.amountMinor - before;
    const target = mulDivHalfEven(t.amountMinor, done + amountMinor, base) - before;
    // Line credits may have taken a component faster or slower than the invoice's proportion:
    // never more than is left of it, never below zero (a completing credit takes exactly the rest).
    const amount = done + amountMinor === base ? left : Math.min(Math.max(target, Math.min(0, left)), Math.max(0, left));
    return { ...t, amountMinor: amount };
  });
  const taxMinor = taxBreakdown.reduce((s, t) => s + t.amountMinor, 0);
  const net = amountMinor - taxMinor;
  return {
    lineNo: 1, invoiceLineNo: null, description, quantity: 1, unitAmountMinor: net, amountMinor: net, discountMinor: 0,
    taxMinor, totalMinor: amountMinor, taxBreakdown: taxBreakdown.length > 0 ? taxBreakdown : null,
  };
}

/**
 * Plans a credit note, or throws a BillflowError naming the field: the invoice is not issued,
 * a payment is in flight, a line or quantity is not there to credit, or the total exceeds what
 * is left to credit on the invoice (its total minus earlier credit notes).
 */
export function planCreditNote(invoice: CreditableInvoice, earlier: EarlierCredits, request: CreditRequest, reason: string): CreditNotePlan {
  if (invoice.status !== 'issued') throw refused('invoice_not_creditable', 'invoiceId', `invoice ${invoice.number} is ${invoice.status}, not issued`);
  if (invoice.paymentInFlight || invoice.paymentStatus === 'unknown') {
    throw refused('payment_in_progress', 'invoiceId', `a payment of invoice ${invoice.number} is in progress or of unknown outcome; credit it once that is settled`);
  }
  const left = invoice.totalMinor - invoice.creditedMinor;
  const field = request.mode === 'amount' ? 'amountMinor' : request.mode === 'lines' ? 'lines' : 'full';
  if (left <= 0) throw refused('credit_exceeds_invoice', field, `invoice ${invoice.number} has nothing left to credit (total ${invoice.totalMinor}, credited ${invoice.creditedMinor})`);
  let lines: CreditNoteLinePlan[];
  if (request.mode === 'lines') lines = linesCredit(invoice, earlier, request.lines);
  else if (request.mode === 'amount') {
    if (request.amountMinor > left) {
      throw refused('credit_exceeds_invoice', 'amountMinor', `${request.amountMinor} exceeds what is left to credit on invoice ${invoice.number}: ${left} ${invoice.currency} minor units`);
    }
    lines = [amountCredit(invoice, earlier, request.amountMinor, reason)];
  } else if (invoice.creditedMinor === 0) {
    // Nothing credited yet: the credit note mirrors every line of the invoice.
    lines = invoice.lines
      .filter((l) => l.amountMinor !== 0 || l.discountMinor !== 0 || l.taxMinor !== 0)
      .map((l, i) => creditLine(l, 0, l.quantity, i + 1));
  } else lines = [amountCredit(invoice, earlier, left, reason)];
  const totalMinor = lines.reduce((s, l) => s + l.totalMinor, 0);
  if (totalMinor <= 0) throw refused('invalid_input', field, `the credit note would total ${totalMinor}; it must be positive`, 400);
  if (totalMinor > left) {
    throw refused('credit_exceeds_invoice', field, `the credit note totals ${totalMinor}, more than is left to credit on invoice ${invoice.number}: ${left} ${invoice.currency} minor units`);
  }
  // Off what is still owed; the rest — the invoice was paid, by a charge, a repayment or customer
  // credit (in part, while it is still open) — goes back to the customer as credit.
  const receivableMinor = Math.min(totalMinor, amountDueMinor(invoice));
  return {
    mode: request.mode, lines,
    subtotalMinor: lines.reduce((s, l) => s + l.amountMinor, 0),
    discountMinor: lines.reduce((s, l) => s + l.discountMinor, 0),
    taxMinor: lines.reduce((s, l) => s + l.taxMinor, 0),
    totalMinor,
    taxBreakdown: sumTaxParts(lines.flatMap((l) => l.taxBreakdown ?? [])).filter((t) => t.amountMinor !== 0),
    receivableMinor,
    customerCreditMinor: totalMinor - receivableMinor,
  };
}
