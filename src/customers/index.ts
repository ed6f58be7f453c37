/**
 * Customers: the write library's entry point for customers, plus the input-validation and
 * transaction helpers the other domain folders (catalog, subscriptions, usage, loans, charges)
 * share. Those helpers live here because every domain write references a customer.
 */
export {
  createCustomer,
  getCustomer,
  updateCustomer,
  listCustomers,
  findCustomerByEmailOrId,
  lockCustomer,
  rowToCustomer,
} from './customers.ts';
export type { Customer, CustomerPage } from './customers.ts';
export { registerUser, fullName } from './register.ts';
export { importCustomers, MAX_REPORTED_ROWS, DEFAULT_MAX_IMPORT_ROWS } from './import.ts';
export type { ImportOptions, ImportResult } from './import.ts';
export {
  createCustomerSchema,
  updateCustomerSchema,
  listCustomersSchema,
  registerUserSchema,
  customerDefaultsSchema,
  customerStatusSchema,
  emailSchema,
  phoneSchema,
  countryCodeSchema,
  localeSchema,
  metadataSchema,
} from './schemas.ts';
export type {
  CreateCustomerInput,
  CreateCustomerValues,
  UpdateCustomerInput,
  ListCustomersInput,
  RegisterUserInput,
  CustomerDefaults,
} from './schemas.ts';
export {
  parseInput,
  checkInput,
  issueDetails,
  formatFieldPath,
  invalidInputError,
  isoDateSchema,
  currencyCodeSchema,
  recordIdSchema,
  textIdSchema,
  makeNameSchema,
  amountMinorSchema,
  percentStringSchema,
  pageLimitSchema,
  MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  MAX_ERROR_DETAILS,
} from './validation.ts';
export { inTransaction, run, notFound, conflict, translateConstraint, todayOf, systemClock } from './deps.ts';
export type { Deps, Clock, Sql } from './deps.ts';
