/** Every route of the API, in documentation order. */
import type { AnyRoute } from '../route.ts';
import { catalogRoutes } from './catalog.ts';
import { chargeRoutes } from './charges.ts';
import { creditNoteRoutes } from './credit-notes.ts';
import { gatewayRoutes } from './compat-gateway.ts';
import { schedulerRoutes } from './compat-scheduler.ts';
import { customerImportRoutes } from './customer-import.ts';
import { customerRoutes } from './customers.ts';
import { deliveryRoutes } from './deliveries.ts';
import { healthRoutes } from './health.ts';
import { invoiceRoutes } from './invoices.ts';
import { loanRoutes } from './loans.ts';
import { overviewRoutes } from './overview.ts';
import { paymentRoutes } from './payments.ts';
import { runRoutes } from './runs.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import { usageRoutes } from './usage.ts';

export function allRoutes(): AnyRoute[] {
  return [
    ...gatewayRoutes, ...schedulerRoutes, ...customerRoutes, ...customerImportRoutes, ...catalogRoutes, ...subscriptionRoutes,
    ...usageRoutes, ...loanRoutes, ...chargeRoutes, ...invoiceRoutes, ...creditNoteRoutes, ...paymentRoutes, ...deliveryRoutes, ...runRoutes, ...overviewRoutes,
    ...healthRoutes,
  ];
}
