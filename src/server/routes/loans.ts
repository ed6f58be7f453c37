/** Loans: create (EMI computed once), list (filters, cursor), get, installment schedule. */
import { z } from 'zod';
import { createLoan, createLoanSchema, getLoan, getLoanSchedule, listLoans, listLoansSchema } from '../../loans/index.ts';
import { defineRoute } from '../route.ts';
import { installmentSchema, loanSchema } from '../schemas.ts';
import { idParams, libraryDeps } from './common.ts';

const tag = 'Loans';

export const loanRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/loans', scope: 'write', tag, operationId: 'createLoan',
    summary: 'Create a loan; its EMI is computed with the amortization formula',
    description: "currency must be the customer's billing currency: EMIs are lines on the customer's invoices.",
    body: createLoanSchema, status: 201, errors: [404],
    example: { customerId: 1, currency: 'INR', principalMinor: 50000000, annualRate: '10.5', tenureMonths: 24, firstDueOn: '2026-12-05', lateFeeMinor: 50000 },
    response: { description: 'The loan', schema: loanSchema },
    handler: (deps, { body }) => createLoan(libraryDeps(deps), body),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/loans', scope: 'read', tag, operationId: 'listLoans',
    summary: 'List loans by id, with filters (customerId, status) and a cursor',
    description: 'Pass the `nextAfter` of a page as `after` for the next one; null on the last page.',
    query: listLoansSchema, status: 200,
    response: { description: 'A page of loans', schema: z.object({ loans: z.array(loanSchema), nextAfter: z.int().nullable() }) },
    handler: (deps, { query }) => listLoans(deps.pool, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/loans/:loanId', scope: 'read', tag, operationId: 'getLoan', summary: 'Get a loan',
    params: idParams('loanId'), status: 200, errors: [404],
    response: { description: 'The loan', schema: loanSchema },
    handler: (deps, { params }) => getLoan(deps.pool, params.loanId),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/loans/:loanId/schedule', scope: 'read', tag, operationId: 'getLoanSchedule',
    summary: 'The EMI schedule of a loan, first installment to last', params: idParams('loanId'), status: 200, errors: [404],
    response: { description: 'The installments', schema: z.object({ loanId: z.int(), installments: z.array(installmentSchema) }) },
    handler: async (deps, { params }) => ({ loanId: params.loanId, installments: await getLoanSchedule(deps.pool, params.loanId) }),
  }),
];
