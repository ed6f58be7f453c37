/**
 * SQL for loans. Each function returns {text, values} and runs nothing.
 */
import type { Sql } from '../customers/index.ts';

const COLUMNS = `id, customer_id, currency, principal_minor, annual_rate::text as annual_rate, tenure_months,
  first_due_on, emi_minor, late_fee_minor, paid_installments, status, created_at`;

export const loansSql = {
  insert: (l: {
    customerId: number;
    currency: string;
    principalMinor: number;
    annualRate: string;
    tenureMonths: number;
    firstDueOn: string;
    emiMinor: number;
    lateFeeMinor: number;
  }): Sql => ({
    text: `insert into loans (customer_id, currency, principal_minor, annual_rate, tenure_months, first_due_on,
             emi_minor, late_fee_minor)
           values ($1, $2, $3, $4::numeric, $5, $6, $7, $8) returning ${COLUMNS}`,
    values: [l.customerId, l.currency, l.principalMinor, l.annualRate, l.tenureMonths, l.firstDueOn, l.emiMinor, l.lateFeeMinor],
  }),
  /** A page by id after a cursor, optionally one customer's or one status's. */
  page: (f: { customerId: number | null; status: string | null; after: number; limit: number }): Sql => ({
    text: `select ${COLUMNS} from loans
           where id > $1 and ($2::bigint is null or customer_id = $2) and ($3::text is null or status = $3)
           order by id limit $4`,
    values: [f.after, f.customerId, f.status, f.limit],
  }),
  byId: (id: number): Sql => ({
    text: `select ${COLUMNS} from loans where id = $1`,
    values: [id],
  }),
};
