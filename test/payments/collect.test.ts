import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { collect, resolveUnknown } from '../../src/payments/index.ts';
import { checkLedger, getBalance } from '../../src/ledger/index.ts';
import { paymentAttempts, requeueInvoice } from '../../src/invoices/index.ts';
import { chargedButNotPaid, customerWithInvoice, deps, doubleCharges, settings, TestClock } from './support.ts';

const DAY = 86_400_000;

async function statusOf(db: TestDatabase, invoiceId: number): Promise<string> {
  return (await db.pool.query('select payment_status from invoices where id = $1', [invoiceId])).rows[0].payment_status;
}

describe('collection through the sandbox', { concurrency: false }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('charges, declines with reasons, leaves timeouts/5xx/lost answers unknown, and the janitor settles them by asking', async () => {
    const clock = new TestClock();
    const s = settings({ janitorChecksMs: [300_000, 3_600_000, DAY], dunningDays: [1, 3, 7], maxAttempts: 4 });
    const d = deps(db.pool, s, clock);
    const cases = ['success', 'insufficient_funds', 'card_declined', 'currency_mismatch', 'customer_not_found', 'timeout', 'server_error', 'lost_answer'];
    const inv = Object.fromEntries(await Promise.all(cases.map(async (c) => [c, await customerWithInvoice(db.pool, c, 'o')])));
    const first = await collect(d);
    assert.deepEqual({ attempts: first.attempts, paid: first.paid, retry: first.retry, unknown: first.unknown }, { attempts: 8, paid: 1, retry: 4, unknown: 3 });
    assert.equal(await statusOf(db, inv.success.invoiceId), 'paid');
    assert.equal((await getBalance(db.pool, inv.success.customerId, 'INR')).receivableMinor, 0);
    const declined = await paymentAttempts(db.pool, inv.insufficient_funds.invoiceId);
    assert.equal(declined.attempts[0]!.outcome, 'declined');
    assert.equal(declined.attempts[0]!.failureCode, 'insufficient_funds');
    assert.match(declined.attempts[0]!.failureMessage!, /insufficient funds/);
    assert.equal(declined.attempts[0]!.idempotencyKey, `bf_inv_${inv.insufficient_funds.invoiceId}_1`);
    for (const c of ['timeout', 'server_error', 'lost_answer']) assert.equal(await statusOf(db, inv[c].invoiceId), 'unknown');
    // Collecting again right away attempts nothing: declines wait for dunning, unknowns for the janitor.
    assert.equal((await collect(d)).attempts, 0);
    // Before 5 minutes the janitor asks nobody; after, it asks the provider (never charges).
    assert.equal((await resolveUnknown(d)).checked, 0);
    clock.advance(300_000);
    const janitor = await resolveUnknown(d);
    assert.deepEqual({ checked: janitor.checked, paid: janitor.paid, notCharged: janitor.notCharged }, { checked: 3, paid: 1, notCharged: 2 });
    assert.equal(await statusOf(db, inv.lost_answer.invoiceId), 'paid');
    const lost = await paymentAttempts(db.pool, inv.lost_answer.invoiceId);
    assert.equal(lost.attempts[0]!.resolvedBy, 'janitor');
    assert.equal(await statusOf(db, inv.timeout.invoiceId), 'pending'); // never charged: dunning goes on
    assert.deepEqual(await doubleCharges(db.pool), { perKey: 0, perInvoice: 0, paidTwice: 0 });
    assert.equal(await chargedButNotPaid(db.pool), 0);
    const ledger = await checkLedger(db.pool);
    assert.equal(ledger.ok, true, JSON.stringify(ledger.checks.filter((c) => !c.ok)));
  });

  it('retries declines on the dunning schedule, then marks the invoice failed; requeue queues one more attempt, once', async () => {
    const clock = new TestClock(new Date('2027-01-10T09:00:00Z'));
    const s = settings({ dunningDays: [1, 3, 7], maxAttempts: 3 });
    const d = deps(db.pool, s, clock);
    const { invoiceId } = await customerWithInvoice(db.pool, 'card_declined', 'dun');
    assert.equal((await collect(d, { invoiceIds: [invoiceId] })).retry, 1);
    clock.advance(DAY - 60_000);
    assert.equal((await collect(d, { invoiceIds: [invoiceId] })).attempts, 0, 'not before the first dunning day');
    clock.advance(60_000);
    assert.equal((await collect(d, { invoiceIds: [invoiceId] })).retry, 1);
    clock.advance(3 * DAY);
    assert.equal((await collect(d, { invoiceIds: [invoiceId] })).failed, 1);
    assert.equal(await statusOf(db, invoiceId), 'failed');
    const trail = await paymentAttempts(db.pool, invoiceId);
    assert.deepEqual(trail.attempts.map((a) => [a.attemptNo, a.outcome, a.trigger]), [[1, 'declined', 'collect'], [2, 'declined', 'dunning'], [3, 'declined', 'dunning']]);
    const jobs = async () => Number((await db.pool.query(`select count(*) as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'payments_collect' and (j.payload::jsonb)->'invoiceIds' @> $1::jsonb`, [JSON.stringify([invoiceId])])).rows[0].n);
    const r1 = await requeueInvoice(db.pool, invoiceId, null);
    const r2 = await requeueInvoice(db.pool, invoiceId, null);
    assert.equal(r1.requeued, true);
    assert.equal(r2.requeued, false);
    assert.equal(await jobs(), 1);
    const again = await collect(d, { invoiceIds: [invoiceId], trigger: 'requeue' });
    assert.equal(again.attempts, 1);
    const after = await paymentAttempts(db.pool, invoiceId);
    assert.equal(after.attempts.at(-1)!.trigger, 'requeue');
    assert.ok(after.requeues[0]!.consumedAt !== null);
    assert.equal(await statusOf(db, invoiceId), 'failed');
  });

  it('two collectors at once charge every invoice once', async () => {
    const ids = [];
    for (let i = 0; i < 120; i++) ids.push((await customerWithInvoice(db.pool, null, 'two')).invoiceId);
    const s = settings({ batchSize: 10, concurrency: 4, sandbox: { latencyMs: 2 } });
    const [a, b] = await Promise.all([collect(deps(db.pool, s), { invoiceIds: ids }), collect(deps(db.pool, s), { invoiceIds: ids })]);
    assert.equal(a.attempts + b.attempts, 120);
    assert.ok(a.attempts > 0 && b.attempts > 0, `both collectors worked (${a.attempts}/${b.attempts})`);
    assert.deepEqual(await doubleCharges(db.pool), { perKey: 0, perInvoice: 0, paidTwice: 0 });
    assert.equal(Number((await db.pool.query(`select count(*) as n from invoices where id = any($1) and payment_status = 'paid'`, [ids])).rows[0].n), 120);
    assert.equal((await checkLedger(db.pool)).ok, true);
  });
});
