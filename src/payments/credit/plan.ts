/**
 * Pure: how a customer's credit goes to their open invoices. Oldest first (the caller orders
 * them), whole invoices while the credit lasts, then part of the next one — its amount due
 * shrinks and the rest is charged or paid later. An older debt is never skipped for a newer one.
 */
export interface CreditApplicationPlan {
  applications: { invoiceId: number; amountMinor: number; paidInFull: boolean }[];
  appliedMinor: number;
  /** Credit left after the applications. */
  leftMinor: number;
}

export function planCreditApplication(creditMinor: number, openInvoices: readonly { id: number; dueMinor: number }[]): CreditApplicationPlan {
  const applications: CreditApplicationPlan['applications'] = [];
  let left = Math.max(0, creditMinor);
  for (const inv of openInvoices) {
    if (left <= 0) break;
    if (inv.dueMinor <= 0) continue; // nothing owed on it (the caller's query excludes these anyway)
    const amountMinor = Math.min(left, inv.dueMinor);
    applications.push({ invoiceId: inv.id, amountMinor, paidInFull: amountMinor === inv.dueMinor });
    left -= amountMinor;
  }
  return { applications, appliedMinor: Math.max(0, creditMinor) - left, leftMinor: left };
}
