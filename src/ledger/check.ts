import type pg from 'pg';

/**
 * `billflow ledger check`: proves the books add up. Each check is one query over the whole
 * journal; a failing one reports how many rows are wrong and a few of them.
 */
export interface LedgerCheck {
  name: string;
  ok: boolean;
  problems: number;
  samples: unknown[];
}

export interface LedgerReport {
  ok: boolean;
  entries: number;
  lines: number;
  /** Per currency: sum of debits and of credits (minor units; equal when the books balance). */
  totals: { currency: string; debitMinor: number; creditMinor: number }[];
  checks: LedgerCheck[];
}

const SAMPLE_LIMIT = 5;

const CHECKS: { name: string; sql: string }[] = [
  {
    name: 'every entry balances (debits = credits per entry and currency)',
    sql: `select entry_id, currency, sum(amount_minor)::bigint as off from journal_lines
          group by entry_id, currency having sum(amount_minor) <> 0`,
  },
  {
    name: 'every line belongs to an entry of its currency',
    sql: `select l.entry_id, l.line_no from journal_lines l left join journal_entries e on e.id = l.entry_id
          where e.id is null`,
  },
  {
    name: 'every entry has lines',
    sql: `select e.id from journal_entries e where not exists (select 1 from journal_lines l where l.entry_id = e.id)`,
  },
  {
    name: 'every customer balance equals the sum of its journal',
    sql: `with j as (
            select customer_id, currency,
              coalesce(sum(amount_minor) filter (where account = 'receivable'), 0)::bigint as receivable,
              coalesce(-sum(amount_minor) filter (where account = 'customer_credit'), 0)::bigint as credit
            from journal_lines where customer_id is not null and account in ('receivable', 'customer_credit')
            group by customer_id, currency)
          select coalesce(b.customer_id, j.customer_id) as customer_id, coalesce(b.currency, j.currency) as currency,
            b.receivable_minor, j.receivable, b.credit_minor, j.credit
          from customer_balances b full join j on j.customer_id = b.customer_id and j.currency = b.currency
          where coalesce(b.receivable_minor, 0) <> coalesce(j.receivable, 0) or coalesce(b.credit_minor, 0) <> coalesce(j.credit, 0)`,
  },
  {
    name: 'every issued invoice is posted for its total',
    sql: `select i.id, i.total_minor, r.amount as posted from invoices i
          left join (select e.ref_id, sum(l.amount_minor) filter (where l.account = 'receivable') as amount
                     from journal_entries e join journal_lines l on l.entry_id = e.id where e.kind = 'invoice' group by e.ref_id) r
            on r.ref_id = i.id
          where coalesce(r.amount, 0) <> i.total_minor`,
  },
  {
    name: 'every credit note is posted for its total and split (receivable, customer credit)',
    sql: `select c.id, c.total_minor, c.receivable_minor, r.receivable, r.credit from credit_notes c
          left join (select e.ref_id,
                       -sum(l.amount_minor) filter (where l.account = 'receivable') as receivable,
                       -sum(l.amount_minor) filter (where l.account = 'customer_credit') as credit
                     from journal_entries e join journal_lines l on l.entry_id = e.id where e.kind = 'credit_note' group by e.ref_id) r
            on r.ref_id = c.id
          where r.ref_id is null or coalesce(r.receivable, 0) <> c.receivable_minor or coalesce(r.credit, 0) <> c.customer_credit_minor`,
  },
  {
    name: 'every credit application is posted for its amount (customer credit Dr / receivable Cr)',
    sql: `select a.id, a.amount_minor, r.credit, r.receivable from credit_applications a
          left join (select e.ref_id,
                       sum(l.amount_minor) filter (where l.account = 'customer_credit') as credit,
                       -sum(l.amount_minor) filter (where l.account = 'receivable') as receivable
                     from journal_entries e join journal_lines l on l.entry_id = e.id where e.kind = 'credit_applied' group by e.ref_id) r
            on r.ref_id = a.id
          where r.ref_id is null or coalesce(r.credit, 0) <> a.amount_minor or coalesce(r.receivable, 0) <> a.amount_minor`,
  },
  {
    name: "every invoice's applied credit is the sum of its credit applications",
    sql: `select i.id, i.credit_applied_minor, a.applied from invoices i
          left join (select invoice_id, sum(amount_minor) as applied from credit_applications group by invoice_id) a on a.invoice_id = i.id
          where i.credit_applied_minor <> coalesce(a.applied, 0)`,
  },
  {
    name: 'no customer holds negative credit',
    sql: `select customer_id, currency, credit_minor from customer_balances where credit_minor < 0`,
  },
];

export async function checkLedger(db: pg.Pool | pg.PoolClient): Promise<LedgerReport> {
  const checks: LedgerCheck[] = [];
  for (const c of CHECKS) {
    const row = (await db.query<{ n: number; samples: unknown[] | null }>(
      `with bad as (${c.sql}) select (select count(*) from bad)::int as n,
         (select json_agg(s) from (select * from bad limit ${SAMPLE_LIMIT}) s) as samples`,
    )).rows[0]!;
    checks.push({ name: c.name, ok: row.n === 0, problems: row.n, samples: row.samples ?? [] });
  }
  const totals = (await db.query<{ currency: string; debit: number; credit: number }>(
    `select currency, coalesce(sum(amount_minor) filter (where amount_minor > 0), 0)::bigint as debit,
       coalesce(-sum(amount_minor) filter (where amount_minor < 0), 0)::bigint as credit
     from journal_lines group by currency order by currency`,
  )).rows.map((r) => ({ currency: r.currency, debitMinor: r.debit, creditMinor: r.credit }));
  const totalsOk = totals.every((t) => t.debitMinor === t.creditMinor);
  checks.unshift({ name: 'debits = credits in every currency', ok: totalsOk, problems: totals.filter((t) => t.debitMinor !== t.creditMinor).length, samples: totals.filter((t) => t.debitMinor !== t.creditMinor) });
  const counts = (await db.query<{ entries: number; lines: number }>(
    `select (select count(*) from journal_entries)::int as entries, (select count(*) from journal_lines)::int as lines`,
  )).rows[0]!;
  return { ok: checks.every((c) => c.ok), ...counts, totals, checks };
}
