/** Customers: create, get, list (cursor), update (partial). Bulk import: customer-import.ts. */
import {
  createCustomer,
  createCustomerSchema,
  getCustomer,
  listCustomers,
  listCustomersSchema,
  updateCustomer,
  updateCustomerSchema,
} from '../../customers/index.ts';
import { defineRoute } from '../route.ts';
import { customerPageSchema, customerSchema } from '../schemas.ts';
import { idParams, libraryDeps } from './common.ts';

const tag = 'Customers';

export const customerRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/customers', scope: 'write', tag, operationId: 'createCustomer',
    summary: 'Create a customer',
    description: 'E-mail and external id are unique (409 naming the field). The tax region and legal entity must exist.',
    body: createCustomerSchema, status: 201, errors: [409],
    example: { name: 'Asha Rao', email: 'asha@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in' },
    response: { description: 'The customer', schema: customerSchema },
    handler: (deps, { body }) => createCustomer(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/customers', scope: 'read', tag, operationId: 'listCustomers',
    summary: 'List customers by id, with a cursor',
    description: 'Pass the `nextAfter` of a page as `after` to get the next one; null on the last page.',
    query: listCustomersSchema, status: 200,
    response: { description: 'A page of customers', schema: customerPageSchema },
    handler: (deps, { query }) => listCustomers(deps.pool, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/customers/:customerId', scope: 'read', tag, operationId: 'getCustomer',
    summary: 'Get a customer', params: idParams('customerId'), status: 200, errors: [404],
    response: { description: 'The customer', schema: customerSchema },
    handler: (deps, { params }) => getCustomer(deps.pool, params.customerId),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/v1/customers/:customerId', scope: 'write', tag, operationId: 'updateCustomer',
    summary: 'Update a customer (only the fields sent change; null clears a nullable field)',
    params: idParams('customerId'), body: updateCustomerSchema, status: 200, errors: [404, 409],
    example: { taxRegion: 'IN-MH', phone: '+919812345678' },
    response: { description: 'The updated customer', schema: customerSchema },
    handler: (deps, { params, body }) => updateCustomer(libraryDeps(deps), params.customerId, body),
  }),
];
