/**
 * Credit notes on real Postgres: full credit of an unpaid invoice (amount due 0, nothing
 * collected), partial credit of a paid one (customer credit), line credits then collection of
 * the rest, over-credit refused with nothing written, two concurrent credit notes, a gapless
 * number series, the PDF, the CLI — and `ledger check` after each.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { pdfText } from '../documents/pdf-tools.ts';
import { createCustomer } from '../../src/customers/index.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';
import { getInvoice, issueCreditNote, listCreditNotes } from '../../src/invoices/index.ts';
import { checkLedger, getBalance } from '../../src/ledger/index.ts';
import { collect } from '../../src/payments/index.ts';
import { ingestRepayment } from '../../src/repayments/index.ts';
import { DEFAULT_DOCUMENT_SETTINGS, renderCreditNotePdf } from '../../src/documents/index.ts';
import { BillflowError } from '../../src/errors.ts';
import { deps as paymentDeps, settings as paymentSettings } from '../payments/support.ts';

const clock = { now: () => new Date('2026-12-03T10:00:00Z') };

describe('credit notes on real Postgres', { concurrency: false }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let seq = 0;

  /** A customer in Karnataka billed by the Indian entity (IGST 18%) and an invoice of 3 × 100.00 + 1 × 50.00 + tax. */
  async function invoice(): Promise<{ customerId: number; invoiceId: number; totalMinor: number; taxMinor: number }> {
    seq++;
    const c = await createCustomer({ db: db.pool }, {
      name: `Credit ${seq}`, email: `credit-${seq}@example.com`, currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in',
      metadata: { sandbox: 'success' },
    });
    const inv = await createAdHocInvoice({ db: db.pool, clock }, {
      customerId: c.id, source: `api:credit-${seq}`, issueDate: '2026-12-01',
      items: [{ productId: 'P1', productName: 'Seat', quantity: 3, price: 10000 }, { productId: 'P2', productName: 'Setup', quantity: 1, price: 5000 }],
    });
    return { customerId: c.id, invoiceId: inv.id, totalMinor: inv.totalMinor, taxMinor: inv.taxMinor };
  }

  async function assertLedgerOk(): Promise<void> {
    const report = await checkLedger(db.pool);
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  }

  async function counts(): Promise<Record<string, number>> {
    const q = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);
    return {
      creditNotes: await q('select count(*) as n from credit_notes'),
      lines: await q('select count(*) as n from credit_note_lines'),
      series: await q('select coalesce(sum(next_number), 0) as n from credit_note_series'),
      entries: await q('select count(*) as n from journal_entries'),
      events: await q(`select count(*) as n from outbox_events where topic = 'credit_note.issued'`),
      jobs: await q(`select count(*) as n from graphile_worker.jobs where task_identifier = 'credit_note_render'`),
      credited: await q('select coalesce(sum(credited_minor), 0) as n from invoices'),
      balances: await q('select coalesce(sum(version), 0) as n from customer_balances'),
    };
  }

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'billflow-credit-'));
  });
  after(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a full credit note of an unpaid invoice reverses every line and tax, leaves nothing due, and collection charges nothing', async () => {
    const inv = await invoice();
    assert.equal(inv.totalMinor, 41300); // 35000 + IGST 18% 6300
    const cn = await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, full: true, reason: 'Order cancelled' });
    assert.match(cn.number, /^BFIN-CN-2026-\d{6}$/);
    assert.deepEqual([cn.totalMinor, cn.taxMinor, cn.receivableMinor, cn.customerCreditMinor], [41300, 6300, 41300, 0]);
    assert.deepEqual(cn.lines.map((l) => [l.invoiceLineNo, l.quantity, l.totalMinor]), [[1, 3, 35400], [2, 1, 5900]]);
    assert.equal(cn.issueDate, '2026-12-03');
    const after = await getInvoice(db.pool, inv.invoiceId);
    assert.deepEqual([after.creditedMinor, after.amountDueMinor, after.paymentStatus], [41300, 0, 'not_required']);
    assert.equal((await getBalance(db.pool, inv.customerId, 'INR')).receivableMinor, 0);
    const lines = (await db.pool.query(`select l.account, l.amount_minor from journal_lines l join journal_entries e on e.id = l.entry_id
      where e.kind = 'credit_note' and e.ref_id = $1 order by l.line_no`, [cn.id])).rows.map((r) => [r.account, r.amount_minor]);
    assert.deepEqual(lines, [['refunds', 35000], ['tax_payable', 6300], ['receivable', -41300]]);
    const event = (await db.pool.query(`select payload from outbox_events where topic = 'credit_note.issued' and aggregate_id = $1`, [cn.id])).rows[0];
    assert.equal(event.payload.number, cn.number);
    assert.equal(event.payload.totalMinor, 41300);
    const summary = await collect(paymentDeps(db.pool, paymentSettings(), clock), { invoiceIds: [inv.invoiceId] });
    assert.equal(summary.attempts, 0);
    await assertLedgerOk();
    // Nothing is left to credit.
    await assert.rejects(issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 1, reason: 'again' }),
      (e: BillflowError) => e.code === 'credit_exceeds_invoice' && e.details[0]!.field === 'amountMinor');
  });

  it('a partial credit of a paid invoice becomes customer credit, tax reversed in proportion', async () => {
    const inv = await invoice();
    const paid = await collect(paymentDeps(db.pool, paymentSettings(), clock), { invoiceIds: [inv.invoiceId] });
    assert.equal(paid.paid, 1);
    const cn = await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 10000, reason: 'Goodwill' });
    // 6300 × 10000 / 41300 = 1525.4 → 1525
    assert.deepEqual([cn.totalMinor, cn.taxMinor, cn.subtotalMinor, cn.receivableMinor, cn.customerCreditMinor], [10000, 1525, 8475, 0, 10000]);
    assert.deepEqual(cn.taxBreakdown.map((t) => t.amountMinor), [1525]);
    const balance = await getBalance(db.pool, inv.customerId, 'INR');
    assert.deepEqual([balance.receivableMinor, balance.creditMinor], [0, 10000]);
    assert.equal((await getInvoice(db.pool, inv.invoiceId)).paymentStatus, 'paid');
    // The rest, in two more credit notes: the tax reversed adds up to the invoice's tax exactly.
    await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 333, reason: 'More goodwill' });
    const last = await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, full: true, reason: 'Refund the rest' });
    assert.equal(last.totalMinor, 41300 - 10333);
    const { creditNotes } = await listCreditNotes(db.pool, inv.invoiceId);
    assert.equal(creditNotes.length, 3);
    assert.equal(creditNotes.reduce((s, c) => s + c.taxMinor, 0), 6300);
    assert.equal(creditNotes.reduce((s, c) => s + c.totalMinor, 0), 41300);
    assert.equal((await getBalance(db.pool, inv.customerId, 'INR')).creditMinor, 41300);
    await assertLedgerOk();
  });

  it('credited lines reduce the amount due, and collection charges the rest', async () => {
    const inv = await invoice();
    const cn = await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, lines: [{ lineNo: 1, quantity: 1 }], reason: 'One seat returned' });
    assert.deepEqual([cn.totalMinor, cn.taxMinor, cn.receivableMinor], [11800, 1800, 11800]);
    assert.equal(cn.invoice.amountDueMinor, 41300 - 11800);
    // A second credit of the same line may take the 2 seats left, not 3.
    await assert.rejects(issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, lines: [{ lineNo: 1, quantity: 3 }], reason: 'x' }),
      (e: BillflowError) => e.code === 'credit_exceeds_invoice' && e.details[0]!.field === 'lines[0].quantity' && /2 of 3 left/.test(e.message));
    await assert.rejects(issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, lines: [{ lineNo: 9, quantity: 1 }], reason: 'x' }),
      (e: BillflowError) => e.code === 'invoice_line_not_found' && e.details[0]!.field === 'lines[0].lineNo');
    const summary = await collect(paymentDeps(db.pool, paymentSettings(), clock), { invoiceIds: [inv.invoiceId] });
    assert.equal(summary.paid, 1);
    const payment = (await db.pool.query('select amount_minor from payments where invoice_id = $1', [inv.invoiceId])).rows[0];
    assert.equal(payment.amount_minor, 29500);
    const charged = (await db.pool.query(`select amount_minor from sandbox_charges where reference = $1::text`, [inv.invoiceId])).rows[0];
    assert.equal(charged.amount_minor, 29500);
    assert.equal((await getBalance(db.pool, inv.customerId, 'INR')).receivableMinor, 0);
    await assertLedgerOk();
  });

  it('a repayment after a credit note pays the amount due, not the total', async () => {
    const inv = await invoice();
    await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 11800, reason: 'Returned' });
    const r = await ingestRepayment({ pool: db.pool, settings: { duplicateWindowMs: 600_000 } }, {
      customerId: inv.customerId, currency: 'INR', channel: 'upi', amountMinor: 29500, externalRef: `UTR-${inv.invoiceId}`, receivedAt: '2026-12-04T10:00:00Z',
    });
    assert.deepEqual([r.status, r.appliedMinor, r.excessMinor, r.paidInvoiceIds], ['accepted', 29500, 0, [inv.invoiceId]]);
    assert.equal((await db.pool.query('select amount_minor from payments where invoice_id = $1', [inv.invoiceId])).rows[0].amount_minor, 29500);
    const balance = await getBalance(db.pool, inv.customerId, 'INR');
    assert.deepEqual([balance.receivableMinor, balance.creditMinor], [0, 0]);
    await assertLedgerOk();
  });

  it('refuses an over-credit, bad input and an unknown invoice with a field-named error, writing nothing', async () => {
    const inv = await invoice();
    const before = await counts();
    const cases: [unknown, string, string][] = [
      [{ invoiceId: inv.invoiceId, amountMinor: 41301, reason: 'too much' }, 'credit_exceeds_invoice', 'amountMinor'],
      [{ invoiceId: inv.invoiceId, lines: [{ lineNo: 1, quantity: 4 }], reason: 'too many' }, 'credit_exceeds_invoice', 'lines[0].quantity'],
      [{ invoiceId: inv.invoiceId, amountMinor: 100, lines: [{ lineNo: 1, quantity: 1 }], reason: 'both' }, 'invalid_input', 'amountMinor'],
      [{ invoiceId: inv.invoiceId, reason: 'neither' }, 'invalid_input', 'amountMinor'],
      [{ invoiceId: inv.invoiceId, amountMinor: 100, reason: '' }, 'invalid_input', 'reason'],
      [{ invoiceId: inv.invoiceId, amountMinor: 100, reason: 'early', issueDate: '2026-11-30' }, 'invalid_input', 'issueDate'],
      [{ invoiceId: 999999, amountMinor: 100, reason: 'nobody' }, 'invoice_not_found', 'invoiceId'],
    ];
    for (const [input, code, field] of cases) {
      await assert.rejects(issueCreditNote({ db: db.pool, clock }, input), (e: BillflowError) => {
        assert.equal(e.code, code, JSON.stringify(input));
        assert.equal(e.details[0]?.field, field, JSON.stringify(input));
        return true;
      });
    }
    assert.deepEqual(await counts(), before);
  });

  it('refuses a credit note while a payment attempt is in flight', async () => {
    const inv = await invoice();
    await db.pool.query(`insert into payment_attempts (invoice_id, attempt_no, idempotency_key, provider, amount_minor, currency, trigger, started_at)
      values ($1, 1, $2, 'sandbox', $3, 'INR', 'collect', now())`, [inv.invoiceId, `bf_inv_${inv.invoiceId}_1`, inv.totalMinor]);
    await assert.rejects(issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, full: true, reason: 'x' }),
      (e: BillflowError) => e.code === 'payment_in_progress' && e.httpStatus === 409 && e.details[0]!.field === 'invoiceId');
  });

  it('two concurrent credit notes cannot together exceed the invoice', async () => {
    const inv = await invoice();
    const outcomes = await Promise.allSettled([0, 1, 2, 3].map(() =>
      issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 15000, reason: 'race' })));
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    assert.equal(ok, 2, 'two of 15000 fit in 41300, a third does not');
    for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as BillflowError).code, 'credit_exceeds_invoice');
    const credited = (await db.pool.query('select credited_minor, total_minor from invoices where id = $1', [inv.invoiceId])).rows[0];
    assert.equal(credited.credited_minor, 30000);
    const sum = (await db.pool.query('select sum(total_minor)::bigint as s from credit_notes where invoice_id = $1', [inv.invoiceId])).rows[0].s;
    assert.equal(sum, 30000);
    await assertLedgerOk();
  });

  it('numbers credit notes 1, 2, 3… per series with no gaps, refused and concurrent ones included', async () => {
    const invoices = await Promise.all([0, 1, 2, 3, 4].map(() => invoice()));
    await Promise.allSettled(invoices.flatMap((inv) => [
      issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 1000, reason: 'ok' }),
      issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 999999, reason: 'refused' }),
      issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, lines: [{ lineNo: 2, quantity: 1 }], reason: 'ok' }),
    ]));
    const numbers = (await db.pool.query(`select number from credit_notes where number like 'BFIN-CN-2026-%' order by number`)).rows.map((r) => r.number as string);
    const seqs = numbers.map((n) => Number(n.slice(-6)));
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
    const next = (await db.pool.query(`select next_number from credit_note_series where series = 'BFIN-CN-2026'`)).rows[0].next_number;
    assert.equal(next, seqs.length + 1);
    await assertLedgerOk();
  });

  it('renders the PDF, stores it with path, size and sha256, and renders again only when it changed', async () => {
    const inv = await invoice();
    const cn = await issueCreditNote({ db: db.pool, clock }, { invoiceId: inv.invoiceId, amountMinor: 11800, reason: 'Damaged seat' });
    const settings = { ...DEFAULT_DOCUMENT_SETTINGS };
    const pdf = await renderCreditNotePdf({ db: db.pool, settings, dataDir }, cn.id);
    assert.equal(pdf.rendered, true);
    const { text } = await pdfText(pdf.pdf);
    const all = text.join(' ');
    assert.ok(all.includes(cn.number), `${cn.number} in ${all}`);
    assert.ok(/118\.00/.test(all), `118.00 in ${all}`);
    const invoiceNumber = (await getInvoice(db.pool, inv.invoiceId)).number;
    assert.ok(all.includes(invoiceNumber), 'names the original invoice');
    assert.ok(all.includes('Damaged seat'), 'shows the reason');
    const row = (await db.pool.query('select path, size_bytes, sha256 from credit_note_documents where credit_note_id = $1', [cn.id])).rows[0];
    assert.deepEqual([row.path, row.size_bytes, row.sha256], [pdf.path, pdf.size, pdf.sha256]);
    assert.equal((await renderCreditNotePdf({ db: db.pool, settings, dataDir }, cn.id)).rendered, false);
  });

  it('billflow credit-note issues one (--amount, --line) and writes its PDF; --list lists them', async () => {
    const inv = await invoice();
    const env = { BILLFLOW_DATA_DIR: dataDir };
    const byAmount = await runCli(['--data-dir', dataDir, 'credit-note', String(inv.invoiceId), '--amount', '118.00', '--reason', 'CLI credit', '--json'], { databaseUrl: db.url, env });
    assert.equal(byAmount.code, 0, byAmount.stderr);
    const note = JSON.parse(byAmount.stdout);
    assert.deepEqual([note.totalMinor, note.taxMinor, note.invoice.amountDueMinor], [11800, 1800, 41300 - 11800]);
    assert.ok(note.pdf.sizeBytes > 0 && /^[0-9a-f]{64}$/.test(note.pdf.sha256));
    const byLine = await runCli(['credit-note', String(inv.invoiceId), '--line', '2:1', '--reason', 'Setup waived', '--no-pdf'], { databaseUrl: db.url });
    assert.equal(byLine.code, 0, byLine.stderr);
    assert.match(byLine.stdout, /BFIN-CN-2026-\d{6} against BFIN-2026-\d{6}: ₹59\.00/);
    const over = await runCli(['credit-note', String(inv.invoiceId), '--amount-minor', '999999', '--reason', 'too much'], { databaseUrl: db.url });
    assert.equal(over.code, 2);
    assert.match(over.stderr, /credit_exceeds_invoice[\s\S]*- amountMinor:/);
    const list = await runCli(['credit-note', String(inv.invoiceId), '--list', '--json'], { databaseUrl: db.url });
    assert.equal(JSON.parse(list.stdout).length, 2);
    const check = await runCli(['ledger', 'check', '--json'], { databaseUrl: db.url });
    assert.equal(check.code, 0, check.stdout);
  });
});
