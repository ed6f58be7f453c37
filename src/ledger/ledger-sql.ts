/** The ledger's SQL (run by post.ts, invoice-journal.ts, balances.ts and check.ts). */
export interface Sql {
  text: string;
  values: unknown[];
}

export const entryColumns = ['id', 'kind', 'ref_id', 'customer_id', 'currency'] as const;
export const lineColumns = ['entry_id', 'line_no', 'account', 'customer_id', 'currency', 'amount_minor'] as const;

export const ledgerSql = {
  reserveEntryIds: (count: number): Sql => ({
    text: "select nextval('journal_entry_id_seq') as id from generate_series(1, $1)",
    values: [count],
  }),
  insertEntries: (ids: number[], kinds: string[], refIds: number[], customerIds: (number | null)[], currencies: string[]): Sql => ({
    text: `insert into journal_entries (id, kind, ref_id, customer_id, currency)
           select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::char(3)[])`,
    values: [ids, kinds, refIds, customerIds, currencies],
  }),
  insertLines: (c: { entryIds: number[]; lineNos: number[]; accounts: string[]; customerIds: (number | null)[]; currencies: string[]; amounts: number[] }): Sql => ({
    text: `insert into journal_lines (entry_id, line_no, account, customer_id, currency, amount_minor)
           select * from unnest($1::bigint[], $2::smallint[], $3::text[], $4::bigint[], $5::char(3)[], $6::bigint[])`,
    values: [c.entryIds, c.lineNos, c.accounts, c.customerIds, c.currencies, c.amounts],
  }),
  /** Adds deltas to balances (rows locked in key order by the caller's sort: no deadlocks). */
  addToBalances: (customerIds: number[], currencies: string[], receivable: number[], credit: number[]): Sql => ({
    text: `insert into customer_balances as b (customer_id, currency, receivable_minor, credit_minor)
           select * from unnest($1::bigint[], $2::char(3)[], $3::bigint[], $4::bigint[])
           on conflict (customer_id, currency) do update set
             receivable_minor = b.receivable_minor + excluded.receivable_minor,
             credit_minor = b.credit_minor + excluded.credit_minor,
             version = b.version + 1, updated_at = now()`,
    values: [customerIds, currencies, receivable, credit],
  }),
  /** The optimistic write: applies only if nobody changed the balance since it was read. */
  addToBalanceIfVersion: (customerId: number, currency: string, receivable: number, credit: number, version: number): Sql => ({
    text: `update customer_balances set receivable_minor = receivable_minor + $3, credit_minor = credit_minor + $4,
             version = version + 1, updated_at = now()
           where customer_id = $1 and currency = $2 and version = $5 returning version`,
    values: [customerId, currency, receivable, credit, version],
  }),
  /** The optimistic write for a balance read as absent (version 0): only if still absent. */
  insertBalanceIfAbsent: (customerId: number, currency: string, receivable: number, credit: number): Sql => ({
    text: `insert into customer_balances (customer_id, currency, receivable_minor, credit_minor) values ($1, $2, $3, $4)
           on conflict (customer_id, currency) do nothing returning version`,
    values: [customerId, currency, receivable, credit],
  }),
  getBalance: (customerId: number, currency: string): Sql => ({
    text: `select receivable_minor, credit_minor, version from customer_balances where customer_id = $1 and currency = $2`,
    values: [customerId, currency],
  }),
};
