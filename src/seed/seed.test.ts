import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CURRENCIES } from '../money/currencies.ts';
import { chooseMode } from './bulk.ts';
import { seedDataset, type SeedOptions, type SeedSummary } from './index.ts';
import { TABLE_ORDER } from './rows.ts';

const PERIOD = '2026-11';
const ENTITY_BY_CURRENCY: Record<string, string> = { INR: 'in', EUR: 'eu', GBP: 'uk', USD: 'us', JPY: 'jp', KWD: 'us' };
const DIGEST_TABLES = [...TABLE_ORDER, 'plan_charge_prices', 'coupons'];

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}
after(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

async function digest(pool: pg.Pool, table: string): Promise<string> {
  const { rows } = await pool.query<{ md5: string; n: number }>(
    `select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as md5, count(*)::int as n from ${table} t`,
  );
  return `${rows[0]?.n}:${rows[0]?.md5}`;
}

async function digests(pool: pg.Pool): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of DIGEST_TABLES) out[table] = await digest(pool, table);
  return out;
}

async function count(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`select (${sql})::int as n`, values);
  return rows[0]?.n ?? NaN;
}

/** Every constraint and index definition on the seeded tables (bulk mode must restore them all). */
async function schemaSnapshot(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ d: string }>(
    `select concat_ws(' ', conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated, obj_description(oid, 'pg_constraint')) as d
       from pg_constraint where conrelid = any($1::regclass[])
     union all
     select concat_ws(' ', pg_get_indexdef(indexrelid), obj_description(indexrelid, 'pg_class'))
       from pg_index where indrelid = any($1::regclass[])
     order by 1`,
    [TABLE_ORDER],
  );
  return rows.map((r) => r.d);
}

describe('same seed, same data', () => {
  const options: SeedOptions = { customers: 3000, seed: 21, period: PERIOD };
  let a: TestDatabase;
  let summary: SeedSummary;

  before(async () => {
    a = await freshDatabase();
    summary = await seedDataset(a.pool, { ...options, mode: 'bulk' });
  });

  test('two fresh databases get identical rows, whatever the load mode, threads or chunking', async () => {
    const b = await freshDatabase();
    const progress: number[] = [];
    await seedDataset(b.pool, {
      ...options, mode: 'incremental', threads: false, connections: 3, chunkSize: 700,
      onProgress: (done, total) => {
        assert.equal(total, options.customers);
        progress.push(done);
      },
    });
    assert.deepEqual(await digests(b.pool), await digests(a.pool));
    assert.deepEqual(progress, [...progress].sort((x, y) => x - y));
    assert.equal(progress.at(-1), options.customers);
    const c = await freshDatabase();
    await seedDataset(c.pool, { ...options, seed: 22 });
    assert.notEqual(await digest(c.pool, 'customers'), await digest(a.pool, 'customers'));
  });

  test('the summary matches the database, with the segment and currency mix', async () => {
    assert.equal(summary.customers, 3000);
    assert.equal(summary.firstCustomerId, 1);
    assert.equal(summary.lastCustomerId, 3000);
    assert.equal(await count(a.pool, 'select count(*) from customers'), 3000);
    assert.equal(await count(a.pool, 'select count(*) from subscriptions'), summary.subscriptions);
    assert.equal(await count(a.pool, 'select count(*) from usage_events'), summary.usageEvents);
    assert.equal(await count(a.pool, 'select count(*) from loans'), summary.loans);
    assert.equal(await count(a.pool, 'select count(*) from one_off_charges'), summary.oneOffCharges);
    assert.equal(await count(a.pool, 'select count(*) from payments'), summary.payments);
    const { rows } = await a.pool.query<{ segment: string; n: number }>('select segment, count(*)::int as n from customers group by 1');
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.segment, r.n])), summary.bySegment);
    const shares: Record<string, number> = { saas: 0.4, lender: 0.3, retail: 0.15, utility: 0.15 };
    for (const [segment, share] of Object.entries(shares)) {
      assert.ok(Math.abs((summary.bySegment[segment] ?? 0) / 3000 - share) < 0.04, segment);
    }
    for (const code of ['USD', 'EUR', 'INR', 'JPY', 'GBP']) assert.ok((summary.byCurrency[code] ?? 0) > 100, code);
    assert.equal(Object.values(summary.byCurrency).reduce((x, y) => x + y, 0), 3000);
    assert.ok(summary.expectedLinesPerInvoice >= 4, String(summary.expectedLinesPerInvoice));
    assert.ok(summary.usageEvents >= 3 * (summary.bySegment.saas ?? 0));
  });

  test('tax region, country, currency and legal entity are consistent', async () => {
    const inconsistent = await count(
      a.pool,
      `select count(*) from customers c left join tax_regions r on r.code = c.tax_region
       where c.tax_region is not null and (r.code is null or r.country <> c.country)`,
    );
    assert.equal(inconsistent, 0);
    const { rows } = await a.pool.query<{ currency: string; legal_entity_id: string }>(
      'select distinct currency, legal_entity_id from customers',
    );
    for (const r of rows) assert.equal(r.legal_entity_id, ENTITY_BY_CURRENCY[r.currency], r.currency);
    const inr = await count(a.pool, `select count(*) from customers where currency = 'INR' and tax_region not like 'IN-%'`);
    assert.equal(inr, 0);
    const unpriced = await count(
      a.pool,
      `select count(*) from subscriptions s join customers c on c.id = s.customer_id
       where not exists (select 1 from plan_charges pc join plan_charge_prices pp on pp.charge_id = pc.id
                         where pc.plan_id = s.plan_id and pp.currency = c.currency)`,
    );
    assert.equal(unpriced, 0);
  });

  test('usage and one-off charges fall inside each customer billing window (SQL billflow_window_start)', async () => {
    const outside = await count(
      a.pool,
      `select count(*) from usage_events e join customers c on c.id = e.customer_id
       where e.occurred_at < billflow_window_start($1, c.billing_anchor_day)::timestamp at time zone 'UTC'
          or e.occurred_at >= billflow_window_start($2, c.billing_anchor_day)::timestamp at time zone 'UTC'`,
      [PERIOD, '2026-12'],
    );
    assert.equal(outside, 0);
    const oneOffsOutside = await count(
      a.pool,
      `select count(*) from one_off_charges o join customers c on c.id = o.customer_id
       where o.charged_on < billflow_window_start($1, c.billing_anchor_day) or o.charged_on >= billflow_window_start($2, c.billing_anchor_day)`,
      [PERIOD, '2026-12'],
    );
    assert.equal(oneOffsOutside, 0);
  });

  test('the currencies table holds the whole ISO 4217 table of src/money/currencies.ts', async () => {
    const { rows } = await a.pool.query<{ code: string; exponent: number; name: string }>('select code, exponent, name from currencies order by code');
    const key = (c: { code: string; exponent: number; name: string }): string => `${c.code}|${c.exponent}|${c.name}`;
    assert.deepEqual(rows.map(key), CURRENCIES.map(key).sort());
  });
});

describe('10,000 customers, then more', () => {
  let db: TestDatabase;
  let first: SeedSummary;

  before(async () => {
    db = await freshDatabase();
    first = await seedDataset(db.pool, { customers: 10_000, seed: 1, period: PERIOD });
  });

  test('10,000 customers seed in a few seconds', () => {
    assert.equal(first.customers, 10_000);
    assert.ok(first.durationMs < 10_000, `${first.durationMs} ms`);
  });

  test('a small share has no tax region or refunds without a payment, for validation to quarantine', async () => {
    const noRegion = await count(db.pool, 'select count(*) from customers where tax_region is null');
    const orphanRefunds = await count(db.pool, `select count(*) from one_off_charges where kind = 'refund' and original_payment_id is null`);
    assert.ok(noRegion >= 1 && noRegion <= 40, `no region: ${noRegion}`);
    assert.ok(orphanRefunds >= 1 && orphanRefunds <= 40, `orphan refunds: ${orphanRefunds}`);
    const linked = await count(
      db.pool,
      `select count(*) from one_off_charges o join payments p on p.id = o.original_payment_id and p.customer_id = o.customer_id`,
    );
    assert.equal(linked, await count(db.pool, `select count(*) from one_off_charges where original_payment_id is not null`));
  });

  test('seeding twice adds customers after the existing ids, and plain inserts still get fresh ids', async () => {
    const second = await seedDataset(db.pool, { customers: 1500, seed: 1, period: PERIOD });
    assert.equal(second.firstCustomerId, 10_001);
    assert.equal(second.lastCustomerId, 11_500);
    assert.equal(await count(db.pool, 'select count(*) from customers'), 11_500);
    assert.equal(await count(db.pool, 'select count(distinct email) from customers'), 11_500);
    const { rows } = await db.pool.query<{ id: number }>(
      `insert into customers (name, currency, country, legal_entity_id) values ('Plain Insert', 'USD', 'US', 'us') returning id`,
    );
    const id = rows[0]?.id ?? 0;
    assert.ok(id > 11_500);
    await db.pool.query(`insert into subscriptions (customer_id, plan_id, started_on) values ($1, 'saas_starter', '2026-11-01')`, [id]);
    await db.pool.query(`insert into usage_events (customer_id, metric_code, occurred_at, transaction_id) values ($1, 'api_calls', now(), 'x')`, [id]);
    await db.pool.query(
      `insert into loans (customer_id, currency, principal_minor, annual_rate, tenure_months, first_due_on, emi_minor) values ($1, 'USD', 100000, 12, 12, '2026-11-05', 8885)`,
      [id],
    );
    await db.pool.query(`insert into payments (customer_id, currency, amount_minor) values ($1, 'USD', 100)`, [id]);
    await db.pool.query(
      `insert into one_off_charges (customer_id, product_id, product_name, quantity, unit_price_minor, currency, charged_on) values ($1, 'AD234', 'T', 1, 100, 'USD', '2026-11-02')`,
      [id],
    );
  });
});

describe('bulk mode', () => {
  test('restores every constraint and index it dropped, validated', async () => {
    const db = await freshDatabase();
    await db.pool.query(`comment on constraint usage_events_customer_id_fkey on usage_events is 'kept'`);
    await db.pool.query(`comment on index usage_events_customer_time is 'kept too'`);
    const before = await schemaSnapshot(db.pool);
    await seedDataset(db.pool, { customers: 2000, seed: 3, period: PERIOD, mode: 'bulk' });
    assert.deepEqual(await schemaSnapshot(db.pool), before);
    assert.ok(before.some((d) => d.includes('FOREIGN KEY (customer_id) REFERENCES customers(id) t kept')));
    assert.ok(before.some((d) => d.includes('(customer_id, occurred_at) kept too')));
  });

  test('a failure part-way leaves nothing behind: no rows, every constraint back, sequences ahead', async () => {
    const db = await freshDatabase();
    const before = await schemaSnapshot(db.pool);
    await db.pool.query(`insert into customers (id, name, currency, country, legal_entity_id) values (1, 'Existing', 'USD', 'US', 'us')`);
    // The seed's first payment (id 2) will carry this external_ref: the unique rebuild fails.
    await db.pool.query(`insert into payments (id, customer_id, currency, amount_minor, external_ref) values (1, 1, 'USD', 100, 'seed-5-pay-2')`);
    await assert.rejects(seedDataset(db.pool, { customers: 3000, seed: 5, period: PERIOD, mode: 'bulk' }), /duplicate|unique/i);
    assert.equal(await count(db.pool, 'select count(*) from customers'), 1);
    assert.equal(await count(db.pool, 'select count(*) from usage_events'), 0);
    assert.deepEqual(await schemaSnapshot(db.pool), before);
    const { rows } = await db.pool.query<{ id: number }>(
      `insert into customers (name, currency, country, legal_entity_id) values ('After', 'USD', 'US', 'us') returning id`,
    );
    assert.ok((rows[0]?.id ?? 0) > 1);
  });

  test('is chosen only for large seeds into comparatively small tables', () => {
    assert.equal(chooseMode(1_000_000, 0), 'bulk');
    assert.equal(chooseMode(10_000, 0), 'incremental');
    assert.equal(chooseMode(100_000, 3_000_000), 'incremental');
  });
});
