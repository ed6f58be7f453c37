import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createCustomer } from '../../src/customers/index.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';
import { checkLedger, getBalance, paymentEntry, postEntries } from '../../src/ledger/index.ts';

const PERIOD = '2026-11';

describe('ledger on real Postgres', { concurrency: false }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    const seeded = await runCli(['seed', '--customers', '600', '--seed', '3', '--period', PERIOD, '--json'], { databaseUrl: db.url });
    assert.equal(seeded.code, 0, seeded.stderr);
    const run = await runCli(['run', '--period', PERIOD, '--issue-date', '2026-12-01', '--shard-size', '200', '--workers', '1', '--json'], { databaseUrl: db.url });
    assert.equal(run.code, 0, run.stderr);
  });
  after(async () => {
    await db.drop();
  });

  it('posts every invoice of a billing run in its transaction, and the books balance', async () => {
    const sums = (await db.pool.query(`select count(*)::int as n, sum(total_minor)::bigint as total, sum(tax_minor)::bigint as tax
      from invoices where total_minor <> 0 or tax_minor <> 0`)).rows[0];
    assert.ok(sums.n > 300, `expected invoices, got ${sums.n}`);
    const entries = (await db.pool.query(`select count(*)::int as n from journal_entries where kind = 'invoice'`)).rows[0].n;
    assert.equal(entries, sums.n);
    // Only the invoices' entries: the run's collect stage may have posted payments meanwhile.
    const byAccount = Object.fromEntries((await db.pool.query(`select account, sum(amount_minor)::bigint as s from journal_lines l
      join journal_entries e on e.id = l.entry_id where e.kind = 'invoice' group by account`)).rows.map((r) => [r.account, r.s]));
    assert.equal(byAccount.receivable, sums.total);
    assert.equal(-byAccount.tax_payable, sums.tax);
    const report = await checkLedger(db.pool);
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    const cli = await runCli(['ledger', 'check', '--json'], { databaseUrl: db.url });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).ok, true);
  });

  it('collects the run (its own collect stage first, then billflow collect) and posts every payment', async () => {
    const collected = await runCli(['collect', '--run', '1', '--json'], { databaseUrl: db.url });
    assert.equal(collected.code, 0, collected.stderr);
    const left = (await db.pool.query(`select count(*)::int as n from invoices i join customers c on c.id = i.customer_id
      where i.run_id = 1 and i.total_minor > 0 and i.payment_status <> 'paid' and c.collection_method = 'charge_automatically'`)).rows[0].n;
    assert.equal(left, 0, 'the sandbox (default: every charge succeeds) was asked for every invoice');
    // Borrowers who pay by transfer (collectionMethod send_invoice) were not charged: they still owe their invoices.
    const owed = (await db.pool.query(`select count(*)::int as n, coalesce(sum(i.total_minor), 0)::bigint as s from invoices i
      join customers c on c.id = i.customer_id where i.run_id = 1 and i.total_minor > 0 and c.collection_method = 'send_invoice'`)).rows[0];
    assert.ok(owed.n > 0, 'the seed has customers who pay by transfer');
    assert.equal(Number((await db.pool.query(`select count(*)::int as n from invoices i join customers c on c.id = i.customer_id
      where i.run_id = 1 and c.collection_method = 'send_invoice' and i.payment_status <> 'pending'`)).rows[0].n), 0);
    const payments = (await db.pool.query(`select count(*)::int as n, coalesce(sum(amount_minor), 0)::bigint as s from payments where kind = 'charge' and invoice_id is not null`)).rows[0]; // the seed's historical payments have no invoice
    const posted = (await db.pool.query(`select count(distinct e.id)::int as n, coalesce(sum(l.amount_minor), 0)::bigint as s from journal_entries e
      join journal_lines l on l.entry_id = e.id where e.kind = 'payment' and l.account = 'cash'`)).rows[0];
    assert.deepEqual([posted.n, posted.s], [payments.n, payments.s]);
    const receivable = (await db.pool.query(`select coalesce(sum(receivable_minor), 0)::bigint as s from customer_balances`)).rows[0].s;
    assert.equal(receivable, owed.s, 'everything billed was collected, except what transfer payers owe');
    assert.equal((await checkLedger(db.pool)).ok, true);
  });

  it('posts an ad-hoc (genBill) invoice with it, and a payment moves the balance', async () => {
    const c = await createCustomer({ db: db.pool }, { name: 'Ledger Test', email: 'ledger@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in' });
    const inv = await createAdHocInvoice({ db: db.pool }, { customerId: c.id, items: [{ productId: 'P1', quantity: 1, price: 89900, productName: 'Shirt' }], source: 'api:ledger-1' });
    assert.equal((await getBalance(db.pool, c.id, 'INR')).receivableMinor, inv.totalMinor);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await postEntries(client, [paymentEntry({ id: 900001, customerId: c.id, currency: 'INR', amountMinor: inv.totalMinor })]);
      await client.query('commit');
    } finally {
      client.release();
    }
    const balance = await getBalance(db.pool, c.id, 'INR');
    assert.equal(balance.receivableMinor, 0);
    assert.ok(balance.version >= 2);
    assert.equal((await checkLedger(db.pool)).ok, true);
  });

  it('refuses an unbalanced entry, edits of the journal, and a stale balance version', async () => {
    await assert.rejects(db.pool.query(`insert into journal_lines (entry_id, line_no, account, customer_id, currency, amount_minor)
      values (424242, 1, 'cash', null, 'USD', 100), (424242, 2, 'revenue', null, 'USD', -99)`), /unbalanced in USD/);
    await assert.rejects(db.pool.query(`update journal_lines set amount_minor = amount_minor + 1 where line_no = 1`), /append-only/);
    await assert.rejects(db.pool.query(`delete from journal_entries`), /append-only/);
    const { customer_id: customerId, currency } = (await db.pool.query(`select customer_id, currency from customer_balances order by customer_id limit 1`)).rows[0];
    const stale = await getBalance(db.pool, customerId, currency);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await postEntries(client, [paymentEntry({ id: 900002, customerId, currency, amountMinor: 1 })]); // moves the version
      await assert.rejects(
        postEntries(client, [paymentEntry({ id: 900003, customerId, currency, amountMinor: 1 })], { expectVersion: { customerId, currency, version: stale.version } }),
        (e: { code?: string }) => e.code === 'balance_conflict',
      );
      await client.query('rollback');
    } finally {
      client.release();
    }
  });

  it('reports a balance that does not match its journal', async () => {
    await db.pool.query(`update customer_balances set receivable_minor = receivable_minor + 1 where customer_id = (select min(customer_id) from customer_balances)`);
    const report = await checkLedger(db.pool);
    assert.equal(report.ok, false);
    assert.equal(report.checks.find((c) => c.name.includes('customer balance'))!.problems, 1);
    const cli = await runCli(['ledger', 'check'], { databaseUrl: db.url });
    assert.equal(cli.code, 3);
    assert.match(cli.stdout, /does NOT balance/);
  });
});
