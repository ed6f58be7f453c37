/**
 * Pure duplicate decision for a repayment against the customer's accepted repayments near it.
 * Duplicate when: the same external reference; or, when either side has no reference, the same
 * amount and channel received within the window. Two payments with different references are
 * never duplicates (two equal EMIs paid the same day are legitimate), and billing (invoices,
 * runs) plays no part: a repayment is compared only with other repayments, by when the money was
 * received, so an import during a billing run is judged exactly as at any other time.
 */
export interface RepaymentFacts {
  id?: number;
  amountMinor: number;
  currency: string;
  channel: string;
  externalRef: string | null;
  receivedAtMs: number;
}

export type DuplicateDecision = { duplicate: false } | { duplicate: true; of: number; reason: 'same_external_ref' | 'same_amount_channel_in_window' };

export function findDuplicate(candidate: RepaymentFacts, accepted: readonly (RepaymentFacts & { id: number })[], windowMs: number): DuplicateDecision {
  if (candidate.externalRef !== null) {
    const same = accepted.find((r) => r.externalRef === candidate.externalRef);
    if (same) return { duplicate: true, of: same.id, reason: 'same_external_ref' };
  }
  for (const r of accepted) {
    if (r.externalRef !== null && candidate.externalRef !== null) continue; // both referenced and different
    if (r.amountMinor !== candidate.amountMinor || r.currency !== candidate.currency || r.channel !== candidate.channel) continue;
    if (Math.abs(r.receivedAtMs - candidate.receivedAtMs) <= windowMs) return { duplicate: true, of: r.id, reason: 'same_amount_channel_in_window' };
  }
  return { duplicate: false };
}

/** Pure: which open invoices (oldest first) the amount pays in full; the rest is customer credit. */
export function allocate(amountMinor: number, openInvoices: readonly { id: number; totalMinor: number }[]): { invoiceIds: number[]; appliedMinor: number; excessMinor: number } {
  const invoiceIds: number[] = [];
  let left = amountMinor;
  for (const inv of openInvoices) {
    if (inv.totalMinor <= 0 || inv.totalMinor > left) break; // oldest first: never skip an older debt for a newer one
    invoiceIds.push(inv.id);
    left -= inv.totalMinor;
  }
  return { invoiceIds, appliedMinor: amountMinor - left, excessMinor: left };
}
