import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { createCustomer } from '../src/customers/index.ts';
import { createAdHocInvoice } from '../src/billing/adhoc.ts';
import { createRun } from '../src/billing/run.ts';
import { executeRun } from '../src/billing/execute.ts';
import { silentLog } from '../src/log.ts';
import { BillflowError } from '../src/errors.ts';

const clock = { now: () => new Date('2026-11-22T10:00:00Z') };

describe('invoices on demand (genBill)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('issues a numbered, taxed invoice once per source, and the cycle run does not bill its items again', async () => {
    const customer = await createCustomer({ db: db.pool }, {
      name: 'John Doe', email: 'john.doe@example.com', currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in',
    });
    const items = [{ productId: 'AD234', quantity: 1, price: 89900, productName: 'Premium T-Shirt' }];
    const first = await createAdHocInvoice({ db: db.pool, clock }, { customerId: customer.id, items, source: 'api:key-1' });
    assert.equal(first.created, true);
    assert.match(first.number, /^BFIN-2026-\d{6}$/);
    // Karnataka buyer, Maharashtra seller: IGST 18% on 899.00 = 161.82.
    assert.deepEqual([first.subtotalMinor, first.taxMinor, first.totalMinor, first.period], [89900, 16182, 106082, '2026-11']);
    const again = await createAdHocInvoice({ db: db.pool, clock }, { customerId: customer.id, items, source: 'api:key-1' });
    assert.equal(again.created, false);
    assert.equal(again.id, first.id);
    const second = await createAdHocInvoice({ db: db.pool, clock }, { customerId: customer.id, items, source: 'api:key-2' });
    assert.notEqual(second.number, first.number);
    const event = await db.pool.query(`select payload from outbox_events where topic = 'invoice.issued' and aggregate_id = $1`, [first.id]);
    assert.equal(event.rows[0].payload.number, first.number);

    const run = await createRun(db.pool, { period: '2026-11', issueDate: '2026-12-01', shardSize: 100, maxAttempts: 2, netTermsDays: 15 });
    const summary = await executeRun({ pool: db.pool, log: silentLog }, {
      runId: run.runId, threads: 1, runner: { connectionString: db.url, concurrency: 1, pollIntervalMs: 200, heartbeatMs: 5000, deadAfterMs: 60000 },
    });
    assert.equal(summary.invoices, 0, 'the genBill items are already invoiced; the cycle has nothing to bill');
    assert.equal(summary.skipped, 1);
  });

  it('rejects an invoice that cannot be issued with 422 and writes nothing', async () => {
    const customer = await createCustomer({ db: db.pool }, { name: 'No Region', currency: 'EUR', country: 'DE', legalEntityId: 'eu' });
    const before = (await db.pool.query('select count(*)::int as n from one_off_charges')).rows[0].n;
    await assert.rejects(
      createAdHocInvoice({ db: db.pool, clock }, { customerId: customer.id, items: [{ productId: 'X', quantity: 2, price: 500, productName: 'Thing' }], source: 'api:k' }),
      (error: BillflowError) => error.code === 'invoice_invalid' && error.httpStatus === 422 && error.details.some((d) => d.field === 'customer.taxRegion'),
    );
    await assert.rejects(
      createAdHocInvoice({ db: db.pool, clock }, { customerId: customer.id, items: [{ productId: 'X', quantity: -2, price: 500, productName: 'Thing' }], source: 'api:k' }),
      (error: BillflowError) => error.code === 'invalid_input' && error.details.some((d) => d.field === 'items[0].quantity'),
    );
    assert.equal((await db.pool.query('select count(*)::int as n from one_off_charges')).rows[0].n, before);
    assert.equal((await db.pool.query('select count(*)::int as n from invoices where customer_id = $1', [customer.id])).rows[0].n, 0);
  });
});
