import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';
import { checkLedger, getBalance } from '../../src/ledger/index.ts';
import { applyCreditNow, collect, createProvider, paymentsSettingsSchema } from '../../src/payments/index.ts';
import { ingestRepayment, refundExcess, refundRepaymentExcess } from '../../src/repayments/index.ts';
import { getInvoice, issueCreditNote } from '../../src/invoices/index.ts';
import { customerWithInvoice, deps, settings } from './support.ts';

const repaymentSettings = { duplicateWindowMs: 600_000 };
let refs = 0;

/** A customer whose first invoice a repayment paid, leaving `creditMinor` as credit (no other invoice open then). */
async function customerWithCredit(db: TestDatabase, sandbox: string | null, creditMinor: number, tag: string) {
  const c = await customerWithInvoice(db.pool, sandbox, tag);
  const r = await ingestRepayment({ pool: db.pool, settings: repaymentSettings }, {
    customerId: c.customerId, amountMinor: c.totalMinor + creditMinor, currency: 'INR', channel: 'bank_transfer', externalRef: `CR-${tag}-${++refs}`,
    receivedAt: '2026-12-03T10:00:00Z',
  });
  assert.deepEqual([r.paidInvoiceIds, r.excessMinor, r.creditAppliedMinor, r.refundableMinor], [[c.invoiceId], creditMinor, 0, creditMinor]);
  return c;
}

/** Another invoice of 899.00 + 18% IGST = 1,060.82 (106082 minor units) for the customer. */
async function nextInvoice(db: TestDatabase, customerId: number, tag: string): Promise<{ id: number; totalMinor: number }> {
  const inv = await createAdHocInvoice({ db: db.pool }, { customerId, items: [{ productId: 'P9', quantity: 1, price: 89900, productName: 'Shirt' }], source: `api:next-${tag}-${++refs}` });
  assert.equal(inv.totalMinor, 106082);
  return { id: inv.id, totalMinor: inv.totalMinor };
}

async function sandboxCharges(db: TestDatabase, invoiceId: number): Promise<number[]> {
  return (await db.pool.query(`select amount_minor from sandbox_charges where kind = 'charge' and reference = $1 order by id`, [String(invoiceId)])).rows.map((r) => Number(r.amount_minor));
}

async function ledgerOk(db: TestDatabase): Promise<void> {
  const report = await checkLedger(db.pool);
  assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
}

describe('customer credit applied to open invoices', { concurrency: false }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('pays an invoice in full from credit at collect: no provider charge, invoice paid, ledger ok', async () => {
    const c = await customerWithCredit(db, 'success', 110_000, 'whole');
    const inv = await nextInvoice(db, c.customerId, 'whole');
    const summary = await collect(deps(db.pool, settings()), { invoiceIds: [inv.id] });
    assert.deepEqual({ attempts: summary.attempts, credit: summary.creditAppliedMinor, byCredit: summary.paidByCredit }, { attempts: 0, credit: 106082, byCredit: 1 });
    const after = await getInvoice(db.pool, inv.id);
    assert.deepEqual([after.paymentStatus, after.creditAppliedMinor, after.amountDueMinor], ['paid', 106082, 0]);
    assert.deepEqual(await sandboxCharges(db, inv.id), [], 'the provider was never called for it');
    const balance = await getBalance(db.pool, c.customerId, 'INR');
    assert.deepEqual([balance.receivableMinor, balance.creditMinor], [0, 110_000 - 106082]);
    const apps = (await db.pool.query(`select invoice_id, amount_minor, trigger from credit_applications where customer_id = $1`, [c.customerId])).rows;
    assert.deepEqual(apps.map((a) => [Number(a.invoice_id), Number(a.amount_minor), a.trigger]), [[inv.id, 106082, 'collect']]);
    const entry = (await db.pool.query(`select l.account, l.amount_minor from journal_entries e join journal_lines l on l.entry_id = e.id
      where e.kind = 'credit_applied' and e.customer_id = $1 order by l.line_no`, [c.customerId])).rows;
    assert.deepEqual(entry.map((l) => [l.account, Number(l.amount_minor)]), [['customer_credit', 106082], ['receivable', -106082]]);
    const paidEvent = (await db.pool.query(`select payload from outbox_events where topic = 'invoice.paid' and aggregate_id = $1`, [inv.id])).rows;
    assert.equal(paidEvent.length, 1);
    assert.equal(paidEvent[0].payload.paidBy, 'customer_credit');
    // Collecting again changes nothing: the credit left (3918) has no open invoice to go to.
    assert.equal((await collect(deps(db.pool, settings()), { invoiceIds: [inv.id] })).creditAppliedMinor, 0);
    await ledgerOk(db);
  });

  it('pays part from credit and charges only the rest', async () => {
    const c = await customerWithCredit(db, 'success', 30_000, 'part');
    const inv = await nextInvoice(db, c.customerId, 'part');
    const summary = await collect(deps(db.pool, settings()), { invoiceIds: [inv.id] });
    assert.deepEqual({ attempts: summary.attempts, paid: summary.paid, credit: summary.creditAppliedMinor, byCredit: summary.paidByCredit },
      { attempts: 1, paid: 1, credit: 30_000, byCredit: 0 });
    assert.deepEqual(await sandboxCharges(db, inv.id), [76_082], 'the card is charged 106082 − 30000');
    const attempt = (await db.pool.query(`select amount_minor from payment_attempts where invoice_id = $1`, [inv.id])).rows;
    assert.deepEqual(attempt.map((a) => Number(a.amount_minor)), [76_082]);
    const payment = (await db.pool.query(`select amount_minor from payments where invoice_id = $1`, [inv.id])).rows;
    assert.deepEqual(payment.map((p) => Number(p.amount_minor)), [76_082]);
    const after = await getInvoice(db.pool, inv.id);
    assert.deepEqual([after.paymentStatus, after.creditAppliedMinor, after.amountDueMinor], ['paid', 30_000, 0]);
    const balance = await getBalance(db.pool, c.customerId, 'INR');
    assert.deepEqual([balance.receivableMinor, balance.creditMinor], [0, 0]);
    await ledgerOk(db);
  });

  it('a partial repayment reduces the next invoice at once, and the next repayment pays it', async () => {
    const { customerId, invoiceId, totalMinor } = await customerWithInvoice(db.pool, null, 'partial');
    const pay = { customerId, currency: 'INR', channel: 'upi' };
    const first = await ingestRepayment({ pool: db.pool, settings: repaymentSettings }, { ...pay, amountMinor: 40_000, externalRef: 'PART-1', receivedAt: '2026-12-05T10:00:00Z' });
    assert.deepEqual({ paid: first.paidInvoiceIds, excess: first.excessMinor, applied: first.creditAppliedMinor, refundable: first.refundableMinor },
      { paid: [], excess: 40_000, applied: 40_000, refundable: 0 });
    const between = await getInvoice(db.pool, invoiceId);
    assert.deepEqual([between.paymentStatus, between.creditAppliedMinor, between.amountDueMinor], ['pending', 40_000, totalMinor - 40_000]);
    assert.deepEqual(await getBalance(db.pool, customerId, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [totalMinor - 40_000, 0]);
    const second = await ingestRepayment({ pool: db.pool, settings: repaymentSettings }, { ...pay, amountMinor: totalMinor - 40_000, externalRef: 'PART-2', receivedAt: '2026-12-06T10:00:00Z' });
    assert.deepEqual({ paid: second.paidInvoiceIds, applied: second.appliedMinor, excess: second.excessMinor }, { paid: [invoiceId], applied: totalMinor - 40_000, excess: 0 });
    const paid = await getInvoice(db.pool, invoiceId);
    assert.deepEqual([paid.paymentStatus, paid.amountDueMinor], ['paid', 0]);
    const payment = (await db.pool.query(`select kind, amount_minor from payments where invoice_id = $1`, [invoiceId])).rows;
    assert.deepEqual(payment.map((p) => [p.kind, Number(p.amount_minor)]), [['repayment', totalMinor - 40_000]]);
    assert.deepEqual(await getBalance(db.pool, customerId, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [0, 0]);
    await ledgerOk(db);
  });

  it('applies credit before refunding it, and the refund saga cannot take credit that was applied', async () => {
    const provider = createProvider(db.pool, paymentsSettingsSchema.parse({}));
    // Excess with another invoice open: it goes to that invoice, nothing is left to refund.
    const c = await customerWithInvoice(db.pool, null, 'refund');
    const other = await nextInvoice(db, c.customerId, 'refund');
    const r = await ingestRepayment({ pool: db.pool, settings: repaymentSettings }, {
      customerId: c.customerId, currency: 'INR', channel: 'bank_transfer', amountMinor: c.totalMinor + 5_000, externalRef: 'RF-APPLY', receivedAt: '2026-12-05T10:00:00Z',
    });
    assert.deepEqual([r.paidInvoiceIds, r.excessMinor, r.creditAppliedMinor, r.refundableMinor], [[c.invoiceId], 5_000, 5_000, 0]);
    assert.equal((await getInvoice(db.pool, other.id)).amountDueMinor, 106082 - 5_000);
    await assert.rejects(refundExcess({ pool: db.pool, provider }, { repaymentId: r.repaymentId, customerId: c.customerId, currency: 'INR', amountMinor: 5_000 }),
      (e: Error & { code?: string }) => e.code === 'insufficient_credit');
    // Credit held, then applied by collection: a refund asked for afterwards is refused as well.
    const held = await customerWithCredit(db, 'success', 2_500, 'refund-held');
    const heldRepayment = (await db.pool.query(`select id from repayments where customer_id = $1`, [held.customerId])).rows[0].id as number;
    const heldInvoice = await nextInvoice(db, held.customerId, 'refund-held');
    assert.equal((await collect(deps(db.pool, settings()), { invoiceIds: [heldInvoice.id] })).creditAppliedMinor, 2_500);
    assert.deepEqual(await sandboxCharges(db, heldInvoice.id), [106082 - 2_500]);
    await assert.rejects(refundExcess({ pool: db.pool, provider }, { repaymentId: heldRepayment, customerId: held.customerId, currency: 'INR', amountMinor: 2_500 }),
      (e: Error & { code?: string }) => e.code === 'insufficient_credit');
    // As the API and the import run it (credit used between the repayment and its refund): not refunded, no error.
    assert.deepEqual(await refundRepaymentExcess({ pool: db.pool, provider }, { repaymentId: heldRepayment, customerId: held.customerId, currency: 'INR', amountMinor: 2_500 }),
      { intentId: null, status: 'not_refunded', providerRef: null, failure: `customer ${held.customerId} has 0 of credit, less than the 2500 to refund` });
    assert.equal((await getBalance(db.pool, held.customerId, 'INR')).creditMinor, 0);
    assert.equal(Number((await db.pool.query(`select count(*) as n from refund_intents where customer_id = any($1)`, [[c.customerId, held.customerId]])).rows[0].n), 0);
    await provider.close();
    await ledgerOk(db);
  });

  it('a credit note on a paid invoice becomes credit, applied to the next invoice at collect', async () => {
    const { customerId, invoiceId } = await customerWithInvoice(db.pool, 'success', 'cn');
    assert.equal((await collect(deps(db.pool, settings()), { invoiceIds: [invoiceId] })).paid, 1);
    const cn = await issueCreditNote({ db: db.pool }, { invoiceId, amountMinor: 20_000, reason: 'Returned one item' });
    assert.deepEqual([cn.receivableMinor, cn.customerCreditMinor], [0, 20_000]);
    assert.equal((await getBalance(db.pool, customerId, 'INR')).creditMinor, 20_000);
    const inv = await nextInvoice(db, customerId, 'cn');
    const summary = await collect(deps(db.pool, settings()), { invoiceIds: [inv.id] });
    assert.deepEqual([summary.creditAppliedMinor, summary.paid], [20_000, 1]);
    assert.deepEqual(await sandboxCharges(db, inv.id), [106082 - 20_000]);
    assert.deepEqual(await getBalance(db.pool, customerId, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [0, 0]);
    await ledgerOk(db);
  });

  it('a credit note on an invoice credit paid in part takes off only what is still owed', async () => {
    const c = await customerWithCredit(db, 'card_declined', 50_000, 'cn-part');
    const inv = await nextInvoice(db, c.customerId, 'cn-part');
    const applied = await applyCreditNow({ pool: db.pool, clock: { now: () => new Date('2026-12-07T09:00:00Z') } }, { customerId: c.customerId, trigger: 'api' });
    assert.deepEqual(applied.applications.map((a) => [a.invoiceId, a.amountMinor, a.amountDueMinor]), [[inv.id, 50_000, 56_082]]);
    const cn = await issueCreditNote({ db: db.pool }, { invoiceId: inv.id, full: true, reason: 'Order cancelled' });
    assert.deepEqual([cn.totalMinor, cn.receivableMinor, cn.customerCreditMinor], [106082, 56_082, 50_000]);
    assert.deepEqual([cn.invoice.creditAppliedMinor, cn.invoice.amountDueMinor, cn.invoice.paymentStatus], [50_000, 0, 'not_required']);
    assert.deepEqual(await getBalance(db.pool, c.customerId, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [0, 50_000]);
    await ledgerOk(db);
  });

  it('two collectors at once never apply the same credit twice', async () => {
    const customers = [];
    for (let i = 0; i < 12; i++) {
      const c = await customerWithCredit(db, 'success', i % 2 === 0 ? 150_000 : 40_000, `race-${i}`);
      const invoices = [await nextInvoice(db, c.customerId, `race-${i}-a`), await nextInvoice(db, c.customerId, `race-${i}-b`)];
      customers.push({ ...c, credit: i % 2 === 0 ? 150_000 : 40_000, invoices });
    }
    const d = deps(db.pool, settings({ concurrency: 4, batchSize: 5 }));
    const now = { now: () => new Date('2026-12-08T09:00:00Z') };
    const [a, b] = await Promise.all([
      collect(d, {}), collect(d, {}),
      ...customers.slice(0, 4).map((c) => applyCreditNow({ pool: db.pool, clock: now }, { customerId: c.customerId, trigger: 'api' })),
    ]);
    assert.ok(a && b);
    const totalCredit = customers.reduce((s, c) => s + c.credit, 0);
    for (const c of customers) {
      const applied = Number((await db.pool.query(`select coalesce(sum(amount_minor), 0) as s from credit_applications where customer_id = $1`, [c.customerId])).rows[0].s);
      const balance = await getBalance(db.pool, c.customerId, 'INR');
      assert.ok(balance.creditMinor >= 0);
      assert.equal(applied + balance.creditMinor, c.credit, `customer ${c.customerId}: applied + left = the credit they had`);
      // Each invoice was paid exactly once: credit applied + what the card was charged = its total.
      for (const inv of c.invoices) {
        const row = await getInvoice(db.pool, inv.id);
        const charged = (await sandboxCharges(db, inv.id)).reduce((s, x) => s + x, 0);
        assert.equal(row.paymentStatus, 'paid');
        assert.equal(row.creditAppliedMinor + charged, 106082, `invoice ${inv.id}`);
      }
    }
    // Even customers: 150000 covers invoice a (106082) and 43918 of b; odd ones: 40000 of a.
    const applied = Number((await db.pool.query(`select sum(amount_minor) as s from credit_applications where customer_id = any($1)`, [customers.map((c) => c.customerId)])).rows[0].s);
    assert.equal(applied, totalCredit);
    assert.equal(Number((await db.pool.query(`select count(*) as n from customer_balances where credit_minor < 0`)).rows[0].n), 0);
    await ledgerOk(db);
  });

  it('applies credit for one customer from the CLI', async () => {
    const c = await customerWithCredit(db, 'success', 7_000, 'cli');
    const inv = await nextInvoice(db, c.customerId, 'cli');
    const out = await runCli(['credit', 'apply', String(c.customerId), '--json'], { databaseUrl: db.url });
    assert.equal(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout);
    assert.deepEqual([r.appliedMinor, r.creditLeftMinor, r.applications[0].invoiceId, r.applications[0].amountDueMinor], [7_000, 0, inv.id, 99_082]);
    const again = await runCli(['credit', 'apply', String(c.customerId)], { databaseUrl: db.url });
    assert.match(again.stdout, /applied ₹0\.00 of credit to 0 invoice\(s\)/);
    const missing = await runCli(['credit', 'apply', '999999999'], { databaseUrl: db.url });
    assert.notEqual(missing.code, 0);
    await ledgerOk(db);
  });
});
