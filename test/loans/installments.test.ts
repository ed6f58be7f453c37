/**
 * Loan repayments move loans: paying an EMI invoice — by collection, by the janitor settling a
 * lost answer, or by a repayment (API or file) — advances loans.paid_installments by the
 * installments the invoice bills, once, in the payment's transaction; the last one closes the
 * loan; and the next billing run charges no late fee for what was paid.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createCustomer } from '../../src/customers/index.ts';
import { createLoan, recordPaidInstallments } from '../../src/loans/index.ts';
import { loansSql } from '../../src/loans/loans-sql.ts';
import { createRun } from '../../src/billing/run.ts';
import { processShard } from '../../src/billing/shard.ts';
import { collect, resolveUnknown } from '../../src/payments/index.ts';
import { recordOutcomes } from '../../src/payments/attempts/record.ts';
import { importRepayments, ingestRepayment, parseRepaymentFile } from '../../src/repayments/index.ts';
import { checkLedger, getBalance } from '../../src/ledger/index.ts';
import { silentLog } from '../../src/log.ts';
import { getInvoiceLines } from '../../src/invoices/index.ts';
import { deps as paymentDeps, settings as paymentSettings } from '../payments/support.ts';

const repaymentDeps = (db: TestDatabase) => ({ pool: db.pool, settings: { duplicateWindowMs: 600_000 } });

async function assertLedgerOk(db: TestDatabase, when: string): Promise<void> {
  const report = await checkLedger(db.pool);
  assert.equal(report.ok, true, `${when}: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
}

/** Bills `period` for every customer in-process (one shard), issued the day after the window. */
async function bill(db: TestDatabase, period: string, issueDate: string): Promise<void> {
  const run = await createRun(db.pool, { period, issueDate, shardSize: 10_000, maxAttempts: 1, netTermsDays: 10 });
  const out = await processShard({ pool: db.pool, log: silentLog }, { runId: run.runId, shardNo: 1, attempt: 1, maxAttempts: 1 });
  assert.equal(out.status, 'done');
  assert.equal(out.quarantined, 0);
}

async function invoiceOf(db: TestDatabase, customerId: number, period: string) {
  const inv = (await db.pool.query(`select id, total_minor, payment_status from invoices where customer_id = $1 and period = $2 and source = 'cycle'`, [customerId, period])).rows[0];
  if (!inv) return null;
  const lines = (await db.pool.query(`select kind, loan_id, installment_seq from invoice_lines where invoice_id = $1 order by line_no`, [inv.id])).rows;
  return { id: inv.id as number, totalMinor: inv.total_minor as number, paymentStatus: inv.payment_status as string, lines: lines as { kind: string; loan_id: number | null; installment_seq: number | null }[] };
}

async function loanState(db: TestDatabase, loanId: number): Promise<[number, string]> {
  const r = (await db.pool.query(`select paid_installments, status from loans where id = $1`, [loanId])).rows[0];
  return [r.paid_installments, r.status];
}

describe('loan repayments move loans', { concurrency: false }, () => {
  let db: TestDatabase;
  let seq = 0;
  const borrower = async (sandbox: string) => {
    seq++;
    const c = await createCustomer({ db: db.pool }, {
      name: `Borrower ${seq}`, email: `borrower-${seq}-${process.pid}@example.com`, currency: 'INR', country: 'IN', taxRegion: 'IN-KA',
      legalEntityId: 'in', metadata: { sandbox },
    });
    return c.id;
  };
  const loanFor = async (customerId: number, tenureMonths: number) =>
    (await createLoan({ db: db.pool }, { customerId, currency: 'INR', principalMinor: 3_000_000, annualRate: '12', tenureMonths, firstDueOn: '2026-09-05', lateFeeMinor: 50_000 })).id;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('collection, repayments (API and file), duplicates, partial repayments, closing, and late fees', async () => {
    const payer = await borrower('success'); // pays every EMI
    const late = await borrower('card_declined'); // never pays: the control for late fees
    const payerLoan = await loanFor(payer, 3);
    const lateLoan = await loanFor(late, 3);
    const sandbox = paymentDeps(db.pool, paymentSettings());

    // September: EMI 1. Its lines name the loan and the installment.
    await bill(db, '2026-09', '2026-10-01');
    const sep = (await invoiceOf(db, payer, '2026-09'))!;
    assert.deepEqual(sep.lines.map((l) => [l.kind, l.loan_id, l.installment_seq]), [['emi_principal', payerLoan, 1], ['emi_interest', payerLoan, 1]]);
    // The API's lines say which loan and installment they bill.
    const apiLines = await getInvoiceLines(db.pool, sep.id);
    assert.deepEqual(apiLines.map((l) => [l.kind, l.loanId, l.installmentSeq]), [['emi_principal', payerLoan, 1], ['emi_interest', payerLoan, 1]]);

    // Paid through collection: +1, in the same transaction as the payment.
    const collected = await collect(sandbox, { invoiceIds: [sep.id] });
    assert.equal(collected.paid, 1);
    assert.deepEqual(await loanState(db, payerLoan), [1, 'active']);
    const event = (await db.pool.query(`select payload from outbox_events where topic = 'loan.installments_paid' and aggregate_id = $1`, [payerLoan])).rows;
    assert.deepEqual(event.map((e) => [e.payload.installments, e.payload.invoiceIds, e.payload.paidInstallments]), [[[1], [sep.id], 1]]);
    await assertLedgerOk(db, 'after collection');

    // The same outcome recorded again (a repeated batch) and the same invoice processed again: no second count.
    const attempt = (await db.pool.query(`select id, attempt_no from payment_attempts where invoice_id = $1`, [sep.id])).rows[0];
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      const again = await recordOutcomes(client, {
        attempts: [{ id: attempt.id, invoiceId: sep.id, status: 'succeeded', code: null, message: null, ref: 'sb_again', nextCheck: null }],
        paid: [{ invoiceId: sep.id, attemptId: attempt.id, providerRef: 'sb_again' }], retry: [], failed: [], unknown: [],
      }, { provider: 'sandbox', now: new Date(), fromStatus: 'started', resolvedBy: 'response' });
      assert.equal(again.paid, 0);
      assert.deepEqual(await recordPaidInstallments(client, [sep.id], new Date()), []);
      await client.query('commit');
    } finally {
      client.release();
    }
    assert.deepEqual(await loanState(db, payerLoan), [1, 'active']);

    // October: EMI 2. The payer owes no late fee for EMI 1; the control owes one.
    await bill(db, '2026-10', '2026-11-01');
    const oct = (await invoiceOf(db, payer, '2026-10'))!;
    assert.deepEqual(oct.lines.map((l) => [l.kind, l.installment_seq]), [['emi_principal', 2], ['emi_interest', 2]]);
    const lateOct = (await invoiceOf(db, late, '2026-10'))!;
    assert.deepEqual(lateOct.lines.map((l) => [l.kind, l.loan_id, l.installment_seq]),
      [['emi_principal', lateLoan, 2], ['emi_interest', lateLoan, 2], ['late_fee', lateLoan, 1]]);

    // A partial repayment (less than the EMI invoice) pays no invoice in full: it is customer credit,
    // applied at once to the open EMI invoice (its amount due falls); the loan stays.
    const partial = await ingestRepayment(repaymentDeps(db), { customerId: payer, currency: 'INR', channel: 'upi', amountMinor: 10_000, externalRef: 'UTR-PART', receivedAt: '2026-11-03T10:00:00Z' });
    assert.deepEqual([partial.status, partial.appliedMinor, partial.excessMinor, partial.paidInvoiceIds, partial.creditAppliedMinor], ['accepted', 0, 10_000, [], 10_000]);
    assert.deepEqual(await loanState(db, payerLoan), [1, 'active']);
    assert.deepEqual(await getBalance(db.pool, payer, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [oct.totalMinor - 10_000, 0]);

    // A repayment covering the EMI invoice (API ingest): +1. The same repayment again is a duplicate: still +1.
    const repay = { customerId: payer, currency: 'INR', channel: 'bank_transfer', amountMinor: oct.totalMinor, externalRef: 'UTR-OCT', receivedAt: '2026-11-05T10:00:00Z' };
    const first = await ingestRepayment(repaymentDeps(db), repay);
    assert.deepEqual([first.status, first.paidInvoiceIds, first.excessMinor], ['accepted', [oct.id], 10_000], 'the invoice was 10,000 short of its total');
    assert.deepEqual(await loanState(db, payerLoan), [2, 'active']);
    const second = await ingestRepayment(repaymentDeps(db), repay);
    assert.deepEqual([second.status, second.duplicateOf], ['duplicate', first.repaymentId]);
    assert.deepEqual(await loanState(db, payerLoan), [2, 'active']);
    await assertLedgerOk(db, 'after the repayment and its duplicate');

    // November: EMI 3, the last. No late fee for the paid EMI 2; the control owes two.
    await bill(db, '2026-11', '2026-12-01');
    const nov = (await invoiceOf(db, payer, '2026-11'))!;
    assert.deepEqual(nov.lines.map((l) => [l.kind, l.installment_seq]), [['emi_principal', 3], ['emi_interest', 3]]);
    const lateNov = (await invoiceOf(db, late, '2026-11'))!;
    assert.deepEqual(lateNov.lines.filter((l) => l.kind === 'late_fee').map((l) => l.installment_seq), [1, 2]);

    // The final installment paid by a repayment file, imported twice: the loan closes once.
    const csv = `customer_id,amount_minor,currency,channel,external_ref,received_at,loan_id\n${payer},${nov.totalMinor},INR,upi,UTR-NOV,2026-12-04T08:00:00Z,${payerLoan}\n`;
    const imported = await importRepayments(repaymentDeps(db), parseRepaymentFile(csv, 'csv'), 'import:nov.csv');
    assert.deepEqual([imported.accepted, imported.results[0]!.paidInvoiceIds], [1, [nov.id]]);
    assert.deepEqual(await loanState(db, payerLoan), [3, 'closed']);
    const reimported = await importRepayments(repaymentDeps(db), parseRepaymentFile(csv, 'csv'), 'import:nov.csv');
    assert.equal(reimported.duplicates, 1);
    assert.deepEqual(await loanState(db, payerLoan), [3, 'closed']);
    const closedEvents = (await db.pool.query(`select count(*)::int as n from outbox_events where topic = 'loan.closed' and aggregate_id = $1`, [payerLoan])).rows[0].n;
    assert.equal(closedEvents, 1);
    const recorded = (await db.pool.query(`select seq, invoice_id from loan_installments_paid where loan_id = $1 order by seq`, [payerLoan])).rows;
    assert.deepEqual(recorded.map((r) => [r.seq, r.invoice_id]), [[1, sep.id], [2, oct.id], [3, nov.id]]);
    await assertLedgerOk(db, 'after the final installment');

    // December: the closed loan bills nothing (no EMI, no late fee); the control loan is still active.
    await bill(db, '2026-12', '2027-01-01');
    assert.equal(await invoiceOf(db, payer, '2026-12'), null);
    assert.deepEqual(await loanState(db, lateLoan), [0, 'active']);
    assert.equal((await invoiceOf(db, late, '2026-12'))!.lines.filter((l) => l.kind === 'late_fee').length, 3);
    await assertLedgerOk(db, 'after the December run');
  });

  it('customer credit that covers an EMI invoice pays it at collect, without a charge, and advances the loan', async () => {
    const customerId = await borrower('success');
    const loanId = await loanFor(customerId, 1);
    // Money sent before anything is billed: all of it is credit.
    const upfront = await ingestRepayment(repaymentDeps(db), { customerId, currency: 'INR', channel: 'upi', amountMinor: 3_100_000, externalRef: 'UTR-UPFRONT', receivedAt: '2026-09-20T10:00:00Z' });
    assert.deepEqual([upfront.excessMinor, upfront.creditAppliedMinor], [3_100_000, 0]);
    await bill(db, '2026-09', '2026-10-01');
    const inv = (await invoiceOf(db, customerId, '2026-09'))!;
    assert.ok(inv.totalMinor > 3_000_000 && inv.totalMinor < 3_100_000, `EMI invoice of ${inv.totalMinor}`);
    const collected = await collect(paymentDeps(db.pool, paymentSettings()), { invoiceIds: [inv.id] });
    assert.deepEqual([collected.attempts, collected.paidByCredit, collected.creditAppliedMinor], [0, 1, inv.totalMinor]);
    assert.deepEqual(await loanState(db, loanId), [1, 'closed']);
    const charges = (await db.pool.query(`select count(*)::int as n from sandbox_charges where reference = $1`, [String(inv.id)])).rows[0].n;
    assert.equal(charges, 0);
    assert.deepEqual(await getBalance(db.pool, customerId, 'INR').then((b) => [b.receivableMinor, b.creditMinor]), [0, 3_100_000 - inv.totalMinor]);
    await assertLedgerOk(db, 'after credit paid the EMI');
  });

  it('a charge whose answer was lost advances the loan when the janitor settles it, never twice', async () => {
    const customerId = await borrower('lost_answer');
    const loanId = await loanFor(customerId, 1);
    await bill(db, '2026-09', '2026-10-01');
    const inv = (await invoiceOf(db, customerId, '2026-09'))!;
    const sandbox = paymentDeps(db.pool, paymentSettings());
    const collected = await collect(sandbox, { invoiceIds: [inv.id] });
    assert.equal(collected.unknown, 1);
    assert.deepEqual(await loanState(db, loanId), [0, 'active'], 'not paid yet: nothing moves');
    const settled = await resolveUnknown(sandbox);
    assert.equal(settled.paid, 1);
    assert.deepEqual(await loanState(db, loanId), [1, 'closed']);
    assert.equal((await resolveUnknown(sandbox)).paid, 0);
    assert.deepEqual(await loanState(db, loanId), [1, 'closed']);
    await assertLedgerOk(db, 'after the janitor');
  });

  it('two transactions paying installments of one loan at once: both count, no deadlock', async () => {
    const customerId = await borrower('card_declined');
    const loanId = await loanFor(customerId, 2);
    await bill(db, '2026-09', '2026-10-01');
    await bill(db, '2026-10', '2026-11-01');
    const invoices = [(await invoiceOf(db, customerId, '2026-09'))!.id, (await invoiceOf(db, customerId, '2026-10'))!.id];
    const [a, b] = [await db.pool.connect(), await db.pool.connect()];
    const q = (c: typeof a, sql: { text: string; values: unknown[] }) => c.query(sql.text, sql.values);
    try {
      await a.query('begin');
      await b.query('begin');
      // Both record their installment first (each takes a key-share lock on the loan through the
      // foreign key), then both advance the loan: the second waits for the first, nobody deadlocks.
      const recA = (await q(a, loansSql.recordPaidInstallments([invoices[0]!], new Date()))).rowCount;
      const recB = (await q(b, loansSql.recordPaidInstallments([invoices[1]!], new Date()))).rowCount;
      assert.deepEqual([recA, recB], [1, 1]);
      const advances = { a: q(a, loansSql.advancePaidInstallments([loanId], [1])), b: q(b, loansSql.advancePaidInstallments([loanId], [1])) };
      const first = await Promise.race([advances.a.then(() => 'a' as const), advances.b.then(() => 'b' as const)]);
      const other = first === 'a' ? 'b' : 'a';
      await (first === 'a' ? a : b).query('commit');
      await advances[other];
      await (other === 'a' ? a : b).query('commit');
    } finally {
      a.release();
      b.release();
    }
    assert.deepEqual(await loanState(db, loanId), [2, 'closed']);
  });
});
