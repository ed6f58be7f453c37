import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, spawnCli } from '../support/cli.ts';
import { checkLedger, getBalance } from '../../src/ledger/index.ts';
import { createProvider, paymentsSettingsSchema } from '../../src/payments/index.ts';
import { ingestRepayment, refundExcess } from '../../src/repayments/index.ts';
import { customerWithInvoice } from '../payments/support.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';

const settings = { duplicateWindowMs: 600_000 };
const at = (minutes: number) => new Date(Date.parse('2026-12-05T10:00:00Z') + minutes * 60_000).toISOString();

describe('repayments', { concurrency: false }, () => {
  let db: TestDatabase;
  let dir: string;
  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'billflow-repay-'));
  });
  after(async () => {
    await db.drop();
  });

  it('pays open invoices oldest first, keeps the excess as credit, and blocks duplicates without blocking legitimate twins', async () => {
    const { customerId, invoiceId, totalMinor } = await customerWithInvoice(db.pool, null, 'rp');
    const second = await createAdHocInvoice({ db: db.pool }, { customerId, items: [{ productId: 'P2', quantity: 1, price: 89900, productName: 'Shirt' }], source: 'api:rp-second' });
    const deps = { pool: db.pool, settings };
    const pay = { customerId, currency: 'INR', channel: 'upi' };
    const r1 = await ingestRepayment(deps, { ...pay, amountMinor: totalMinor + 5000, externalRef: 'UTR-1', receivedAt: at(0) });
    assert.deepEqual({ s: r1.status, applied: r1.appliedMinor, excess: r1.excessMinor, paid: r1.paidInvoiceIds }, { s: 'accepted', applied: totalMinor, excess: 5000, paid: [invoiceId] });
    // The excess is then applied to the second invoice at once: 5000 off its amount due, no credit left.
    assert.deepEqual([r1.creditAppliedMinor, r1.creditPaidInvoiceIds, r1.refundableMinor], [5000, [], 0]);
    assert.deepEqual(await getBalance(db.pool, customerId, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [second.totalMinor - 5000, 0]);
    const sameRef = await ingestRepayment(deps, { ...pay, amountMinor: 999, externalRef: 'UTR-1', receivedAt: at(3 * 24 * 60) });
    assert.deepEqual([sameRef.status, sameRef.duplicateOf, sameRef.reason], ['duplicate', r1.repaymentId, 'same_external_ref']);
    const noRef = await ingestRepayment(deps, { ...pay, amountMinor: totalMinor + 5000, receivedAt: at(5) });
    assert.deepEqual([noRef.status, noRef.reason], ['duplicate', 'same_amount_channel_in_window']);
    const twin = await ingestRepayment(deps, { ...pay, amountMinor: totalMinor + 5000, externalRef: 'UTR-2', receivedAt: at(5) });
    assert.equal(twin.status, 'accepted', 'an equal payment with its own reference is legitimate');
    assert.deepEqual([twin.paidInvoiceIds, twin.appliedMinor, twin.excessMinor], [[second.id], second.totalMinor - 5000, 10000]);
    const later = await ingestRepayment(deps, { ...pay, amountMinor: 700, receivedAt: at(30) });
    assert.equal(later.status, 'accepted', 'outside the window');
    assert.equal((await checkLedger(db.pool)).ok, true);
  });

  it('refunds the excess through a saga, idempotently, and compensates a failed refund', async () => {
    const provider = createProvider(db.pool, paymentsSettingsSchema.parse({}));
    const { customerId, totalMinor } = await customerWithInvoice(db.pool, null, 'rf');
    const r = await ingestRepayment({ pool: db.pool, settings }, { customerId, currency: 'INR', channel: 'bank_transfer', amountMinor: totalMinor + 2500, externalRef: 'RF-1', receivedAt: at(0) });
    const saga = await refundExcess({ pool: db.pool, provider }, { repaymentId: r.repaymentId, customerId, currency: 'INR', amountMinor: 2500 });
    assert.equal(saga.status, 'posted');
    const again = await refundExcess({ pool: db.pool, provider }, { repaymentId: r.repaymentId, customerId, currency: 'INR', amountMinor: 2500 });
    assert.deepEqual(again, saga);
    assert.equal(Number((await db.pool.query(`select count(*) as n from sandbox_charges where kind = 'refund' and idempotency_key = $1`, [`bf_refund_rep_${r.repaymentId}`])).rows[0].n), 1);
    assert.equal((await getBalance(db.pool, customerId, 'INR')).creditMinor, 0);

    const declined = await customerWithInvoice(db.pool, 'card_declined', 'rf');
    const r2 = await ingestRepayment({ pool: db.pool, settings }, { customerId: declined.customerId, currency: 'INR', channel: 'card', amountMinor: declined.totalMinor + 100, externalRef: 'RF-2', receivedAt: at(0) });
    const failed = await refundExcess({ pool: db.pool, provider }, { repaymentId: r2.repaymentId, customerId: declined.customerId, currency: 'INR', amountMinor: 100 });
    assert.equal(failed.status, 'compensated');
    assert.match(failed.failure!, /card_declined/);
    assert.equal((await getBalance(db.pool, declined.customerId, 'INR')).creditMinor, 100, 'the credit is back with the customer');
    const report = await checkLedger(db.pool);
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    const transit = (await db.pool.query(`select coalesce(sum(amount_minor), 0)::bigint as s from journal_lines where account = 'refunds_in_transit'`)).rows[0].s;
    assert.equal(transit, 0, 'nothing left in transit');
  });

  it('imports a file once: the same file again is all duplicates; a bad row refuses the file', async () => {
    const customers = [];
    for (let i = 0; i < 5; i++) customers.push(await customerWithInvoice(db.pool, null, 'imp'));
    const csv = ['customer_id,amount_minor,currency,channel,external_ref,received_at',
      ...customers.map((c, i) => `${c.customerId},${c.totalMinor},INR,upi,IMP-${i},2026-12-06T09:0${i}:00Z`)].join('\n');
    const file = join(dir, 'repayments.csv');
    writeFileSync(file, csv);
    const first = await runCli(['repayments', 'import', file, '--json'], { databaseUrl: db.url });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { rows: 5, accepted: 5, duplicates: 0, appliedMinor: customers.reduce((s, c) => s + c.totalMinor, 0), excessMinor: 0, creditAppliedMinor: 0, refunds: 0 });
    const second = await runCli(['repayments', 'import', file, '--json'], { databaseUrl: db.url });
    assert.equal(JSON.parse(second.stdout).duplicates, 5);
    const before = Number((await db.pool.query('select count(*) as n from repayments')).rows[0].n);
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${JSON.stringify({ customerId: customers[0]!.customerId, amountMinor: 5, currency: 'INR', channel: 'upi', receivedAt: at(0) })}\n{"customerId": 1, "amountMinor": -5}\n`);
    const refused = await runCli(['repayments', 'import', bad], { databaseUrl: db.url });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /line 2: amountMinor/);
    assert.equal(Number((await db.pool.query('select count(*) as n from repayments')).rows[0].n), before, 'nothing written');
    const check = await runCli(['ledger', 'check'], { databaseUrl: db.url });
    assert.equal(check.code, 0, check.stdout);
  });

  it('never blocks a legitimate repayment during a billing run', async () => {
    const seeded = await runCli(['seed', '--customers', '1500', '--seed', '5', '--period', '2026-11', '--json'], { databaseUrl: db.url });
    assert.equal(seeded.code, 0, seeded.stderr);
    const ids = (await db.pool.query(`select id, currency from customers where segment is not null order by id limit 40`)).rows;
    const run = spawnCli(['run', '--period', '2026-11', '--issue-date', '2026-12-01', '--shard-size', '100', '--workers', '1', '--json'], { databaseUrl: db.url });
    const results = [];
    for (const [i, c] of ids.entries()) {
      results.push(await ingestRepayment({ pool: db.pool, settings }, { customerId: c.id, currency: c.currency, channel: 'upi', amountMinor: 100_000, externalRef: `RUN-${i}`, receivedAt: at(i) }));
    }
    const code = await new Promise((r) => run.once('exit', r));
    assert.equal(code, 0);
    assert.equal(results.filter((r) => r.status !== 'accepted').length, 0);
    const report = await checkLedger(db.pool);
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  });
});
