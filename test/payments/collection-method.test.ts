import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { collect } from '../../src/payments/index.ts';
import { checkLedger } from '../../src/ledger/index.ts';
import { getCustomer, updateCustomer } from '../../src/customers/index.ts';
import { requeueInvoice } from '../../src/invoices/index.ts';
import { ingestRepayment } from '../../src/repayments/index.ts';
import { BillflowError } from '../../src/errors.ts';
import { customerWithInvoice, deps, settings, TestClock } from './support.ts';

const DAY = 86_400_000;

async function statusOf(db: TestDatabase, invoiceId: number): Promise<string> {
  return (await db.pool.query('select payment_status from invoices where id = $1', [invoiceId])).rows[0].payment_status;
}
async function sandboxCharges(db: TestDatabase, invoiceId: number): Promise<number> {
  return Number((await db.pool.query(`select count(*) as n from sandbox_charges where kind = 'charge' and reference = $1`, [String(invoiceId)])).rows[0].n);
}

describe('collection method: charge_automatically or send_invoice (pays by transfer)', { concurrency: false }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('never charges a send_invoice customer; their transfer pays the invoice; the ledger balances', async () => {
    const auto = await customerWithInvoice(db.pool, null, 'auto');
    const manual = await customerWithInvoice(db.pool, null, 'manual');
    assert.equal((await getCustomer(db.pool, auto.customerId)).collectionMethod, 'charge_automatically');
    const changed = await updateCustomer({ db: db.pool }, manual.customerId, { collectionMethod: 'send_invoice' });
    assert.equal(changed.collectionMethod, 'send_invoice');
    const d = deps(db.pool, settings());
    const summary = await collect(d, { invoiceIds: [auto.invoiceId, manual.invoiceId] });
    assert.deepEqual({ attempts: summary.attempts, paid: summary.paid }, { attempts: 1, paid: 1 });
    assert.equal(await statusOf(db, auto.invoiceId), 'paid');
    assert.equal(await statusOf(db, manual.invoiceId), 'pending');
    assert.equal(await sandboxCharges(db, manual.invoiceId), 0);
    assert.equal(Number((await db.pool.query('select count(*) as n from payment_attempts where invoice_id = $1', [manual.invoiceId])).rows[0].n), 0);
    // Collecting everything again still leaves it alone.
    assert.equal((await collect(d)).attempts, 0);
    const r = await ingestRepayment({ pool: db.pool, settings: { duplicateWindowMs: 600_000 } }, {
      customerId: manual.customerId, amountMinor: manual.totalMinor, currency: 'INR', channel: 'upi', externalRef: 'UTR-CM-1', receivedAt: new Date().toISOString(),
    });
    assert.deepEqual(r.paidInvoiceIds, [manual.invoiceId]);
    assert.equal(await statusOf(db, manual.invoiceId), 'paid');
    assert.equal(await sandboxCharges(db, manual.invoiceId), 0);
    assert.equal((await checkLedger(db.pool)).ok, true);
  });

  it('a revoked mandate (switch to send_invoice) stops dunning, and requeue refuses with a named error', async () => {
    const clock = new TestClock();
    const s = settings({ dunningDays: [1], maxAttempts: 2 });
    const d = deps(db.pool, s, clock);
    const inv = await customerWithInvoice(db.pool, 'insufficient_funds', 'revoked');
    assert.equal((await collect(d, { invoiceIds: [inv.invoiceId] })).retry, 1);
    await updateCustomer({ db: db.pool }, inv.customerId, { collectionMethod: 'send_invoice' });
    clock.advance(2 * DAY);
    assert.equal((await collect(d, { invoiceIds: [inv.invoiceId] })).attempts, 0, 'the retry that was due is not made');
    assert.equal(await sandboxCharges(db, inv.invoiceId), 1);
    assert.equal(await statusOf(db, inv.invoiceId), 'pending');
    // Back to automatic: dunning goes on where it stopped (attempt 2, the last), then failed.
    await updateCustomer({ db: db.pool }, inv.customerId, { collectionMethod: 'charge_automatically' });
    assert.equal((await collect(d, { invoiceIds: [inv.invoiceId] })).failed, 1);
    assert.equal(await statusOf(db, inv.invoiceId), 'failed');
    await updateCustomer({ db: db.pool }, inv.customerId, { collectionMethod: 'send_invoice' });
    await assert.rejects(requeueInvoice(db.pool, inv.invoiceId, null), (e: unknown) => {
      assert.ok(e instanceof BillflowError);
      assert.equal(e.code, 'not_charged_automatically');
      assert.match(e.message, /collectionMethod send_invoice/);
      return true;
    });
    assert.equal(await statusOf(db, inv.invoiceId), 'failed', 'nothing written');
    assert.equal(Number((await db.pool.query('select count(*) as n from invoice_requeues where invoice_id = $1', [inv.invoiceId])).rows[0].n), 0);
  });

  it('rejects an unknown collection method naming the field', async () => {
    const inv = await customerWithInvoice(db.pool, null, 'bad');
    await assert.rejects(updateCustomer({ db: db.pool }, inv.customerId, { collectionMethod: 'direct_debit' as never }), (e: unknown) => {
      assert.ok(e instanceof BillflowError);
      assert.equal(e.code, 'invalid_input');
      assert.ok(e.details.some((x) => x.field === 'collectionMethod'), JSON.stringify(e.details));
      return true;
    });
    assert.equal((await getCustomer(db.pool, inv.customerId)).collectionMethod, 'charge_automatically');
  });
});
