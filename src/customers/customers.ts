/**
 * Customers: create, read, update (partial), list by cursor, and the genBill lookup by e-mail or
 * id. Every write validates its whole input first, then checks references and writes inside one
 * transaction; a duplicate e-mail or external id is a 409 naming the field.
 */
import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import { CUSTOMER_FIELDS, customersSql, type CustomerField } from './customers-sql.ts';
import { conflict, inTransaction, notFound, run, translateConstraint, type Deps } from './deps.ts';
import {
  createCustomerSchema,
  listCustomersSchema,
  updateCustomerSchema,
  type CollectionMethod,
  type CreateCustomerInput,
  type CreateCustomerValues,
  type ListCustomersInput,
  type UpdateCustomerInput,
} from './schemas.ts';
import { invalidInputError, parseInput, recordIdSchema } from './validation.ts';

export interface Customer {
  id: number;
  externalId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  whatsapp: string | null;
  currency: string;
  country: string;
  taxRegion: string | null;
  locale: string;
  legalEntityId: string;
  status: 'active' | 'suspended' | 'closed';
  billingAnchorDay: number;
  segment: string | null;
  /** charge_automatically (the collector charges) or send_invoice (the customer pays by transfer). */
  collectionMethod: CollectionMethod;
  metadata: Record<string, unknown> | null;
  createdAt: string; // ISO timestamp
}

export interface CustomerPage {
  customers: Customer[];
  /** Pass as `after` for the next page; null when this page is the last. */
  nextAfter: number | null;
}

type CustomerRow = Record<string, unknown> & { id: number; created_at: Date };

export function rowToCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    externalId: row.external_id as string | null,
    name: row.name as string,
    email: row.email as string | null,
    phone: row.phone as string | null,
    whatsapp: row.whatsapp as string | null,
    currency: row.currency as string,
    country: row.country as string,
    taxRegion: row.tax_region as string | null,
    locale: row.locale as string,
    legalEntityId: row.legal_entity_id as string,
    status: row.status as Customer['status'],
    billingAnchorDay: row.billing_anchor_day as number,
    segment: row.segment as string | null,
    collectionMethod: row.collection_method as CollectionMethod,
    metadata: row.metadata as Record<string, unknown> | null,
    createdAt: row.created_at.toISOString(),
  };
}

export const customerConflicts = translateConstraint({
  customers_email_key: () => conflict('email', 'a customer with this e-mail already exists'),
  customers_external_id_key: () => conflict('externalId', 'a customer with this external id already exists'),
});

/** Unknown tax region or legal entity → invalid_input naming the field (they are attributes). */
async function checkReferences(
  client: pg.PoolClient,
  values: { taxRegion?: string | null | undefined; legalEntityId?: string | undefined },
  fieldPrefix = '',
): Promise<void> {
  const sql = customersSql.referencesExist(values.taxRegion ?? null, values.legalEntityId ?? null);
  const row = (await run<{ tax_region_ok: boolean; legal_entity_ok: boolean }>(client, sql)).rows[0];
  const details = [];
  if (row?.tax_region_ok !== true) details.push({ field: `${fieldPrefix}taxRegion`, message: `unknown tax region '${values.taxRegion}'` });
  if (row?.legal_entity_ok !== true) details.push({ field: `${fieldPrefix}legalEntityId`, message: `unknown legal entity '${values.legalEntityId}'` });
  if (details.length > 0) throw invalidInputError(details);
}

/**
 * Inserts already-validated values (shared with registerUser, whose tax region and legal entity
 * come from its `defaults` argument: referenceFieldPrefix 'defaults.').
 */
export async function insertCustomer(db: pg.Pool, values: CreateCustomerValues, referenceFieldPrefix = ''): Promise<Customer> {
  const row: Record<CustomerField, unknown> = {
    externalId: values.externalId ?? null,
    name: values.name,
    email: values.email ?? null,
    phone: values.phone ?? null,
    whatsapp: values.whatsapp ?? null,
    currency: values.currency,
    country: values.country,
    taxRegion: values.taxRegion ?? null,
    locale: values.locale,
    legalEntityId: values.legalEntityId,
    status: values.status,
    billingAnchorDay: values.billingAnchorDay,
    segment: values.segment ?? null,
    collectionMethod: values.collectionMethod,
    metadata: values.metadata == null ? null : JSON.stringify(values.metadata),
  };
  return inTransaction(
    db,
    async (client) => {
      await checkReferences(client, values, referenceFieldPrefix);
      const inserted = await run<CustomerRow>(client, customersSql.insert(row));
      return rowToCustomer(inserted.rows[0]!);
    },
    customerConflicts,
  );
}

export async function createCustomer(deps: Deps, input: CreateCustomerInput): Promise<Customer> {
  const values = parseInput(createCustomerSchema, input);
  return insertCustomer(deps.db, values);
}

function parseCustomerId(customerId: unknown): number {
  return parseInput(recordIdSchema, customerId, ['customerId']);
}

function customerNotFound(customerId: number, field = 'customerId'): BillflowError {
  return notFound('customer', [{ field, message: `no customer with id ${customerId}` }]);
}

export async function getCustomer(db: pg.Pool, customerId: number): Promise<Customer> {
  const id = parseCustomerId(customerId);
  const row = (await run<CustomerRow>(db, customersSql.byId(id))).rows[0];
  if (row === undefined) throw customerNotFound(id);
  return rowToCustomer(row);
}

/** Changes only the fields present in `patch`; an empty patch returns the customer unchanged. */
export async function updateCustomer(deps: Deps, customerId: number, patch: UpdateCustomerInput): Promise<Customer> {
  const id = parseCustomerId(customerId);
  const values = parseInput(updateCustomerSchema, patch);
  const changes: Partial<Record<CustomerField, unknown>> = {};
  for (const field of CUSTOMER_FIELDS) {
    const value = values[field];
    if (value === undefined) continue;
    changes[field] = field === 'metadata' && value !== null ? JSON.stringify(value) : value;
  }
  return inTransaction(
    deps.db,
    async (client) => {
      const current = (await run<CustomerRow>(client, customersSql.byId(id, 'update'))).rows[0];
      if (current === undefined) throw customerNotFound(id);
      if (Object.keys(changes).length === 0) return rowToCustomer(current);
      await checkReferences(client, { taxRegion: values.taxRegion, legalEntityId: values.legalEntityId });
      const updated = await run<CustomerRow>(client, customersSql.update(id, changes));
      return rowToCustomer(updated.rows[0]!);
    },
    customerConflicts,
  );
}

export async function listCustomers(db: pg.Pool, input: ListCustomersInput = {}): Promise<CustomerPage> {
  const { limit, after } = parseInput(listCustomersSchema, input);
  const rows = (await run<CustomerRow>(db, customersSql.page(limit, after ?? 0))).rows;
  const customers = rows.map(rowToCustomer);
  const last = customers[customers.length - 1];
  return { customers, nextAfter: customers.length === limit && last !== undefined ? last.id : null };
}

const CUSTOMER_ID_PATTERN = /^\d{1,15}$/;

/**
 * The genBill `userId`: an e-mail (matched case-insensitively, as stored lowercased) or a
 * customer id. Null when nothing matches, so the caller decides how to report it.
 */
export async function findCustomerByEmailOrId(db: pg.Pool, userId: string): Promise<Customer | null> {
  if (typeof userId !== 'string') return null;
  const key = userId.trim();
  let sql;
  if (key.includes('@')) sql = customersSql.byEmail(key.toLowerCase());
  else if (CUSTOMER_ID_PATTERN.test(key) && Number(key) > 0) sql = customersSql.byId(Number(key));
  else return null;
  const row = (await run<CustomerRow>(db, sql)).rows[0];
  return row === undefined ? null : rowToCustomer(row);
}

/** For other folders: the customer row inside their transaction, locked against a concurrent close. */
export async function lockCustomer(
  client: pg.PoolClient,
  customerId: number,
  field = 'customerId',
): Promise<Customer> {
  const row = (await run<CustomerRow>(client, customersSql.byId(customerId, 'share'))).rows[0];
  if (row === undefined) throw customerNotFound(customerId, field);
  return rowToCustomer(row);
}
