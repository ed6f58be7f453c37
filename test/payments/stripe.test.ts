import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createCustomer } from '../../src/customers/index.ts';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';
import { collect, paymentsSettingsSchema, resolveUnknown, StripeProvider } from '../../src/payments/index.ts';
import { checkLedger, getBalance } from '../../src/ledger/index.ts';
import { ingestRepayment, refundExcess } from '../../src/repayments/index.ts';
import { paymentAttempts } from '../../src/invoices/index.ts';
import { silentLog } from '../../src/log.ts';
import { FakeStripe } from './fake-stripe.ts';

describe('Stripe through the official SDK, against a local Stripe-compatible server', () => {
  let db: TestDatabase;
  const stripe = new FakeStripe();
  before(async () => {
    db = await createTestDatabase();
    await stripe.start();
  });
  after(async () => {
    await stripe.stop();
    await db.drop();
  });

  it('creates PaymentIntents with idempotency keys, maps declines, and settles a lost answer by search, not by charging again', async () => {
    const settings = paymentsSettingsSchema.parse({
      provider: 'stripe', janitorChecksMs: [0], callTimeoutMs: 5_000,
      stripe: { apiKey: 'sk_test_fake', host: '127.0.0.1', port: stripe.port, protocol: 'http', timeoutMs: 2_000 },
    });
    const provider = new StripeProvider(settings.stripe);
    const deps = { pool: db.pool, provider, log: silentLog, settings, clock: { now: () => new Date() } };
    const methods: Record<string, [string, string]> = {
      ok: ['cus_ok', 'pm_card_visa'], nsf: ['cus_nsf', 'pm_card_chargeDeclinedInsufficientFunds'], missing: ['cus_missing', 'pm_card_visa'],
      lost: ['cus_lost', 'pm_lost'], gone: ['cus_gone', 'pm_lost_always'], err: ['cus_err', 'pm_5xx'],
    };
    const inv: Record<string, number> = {};
    for (const [name, [cus, pm]] of Object.entries(methods)) {
      const c = await createCustomer({ db: db.pool }, { name, email: `${name}@stripe.example`, currency: 'EUR', country: 'DE', taxRegion: 'DE', legalEntityId: 'eu',
        metadata: { stripeCustomerId: cus, stripePaymentMethod: pm } });
      inv[name] = (await createAdHocInvoice({ db: db.pool }, { customerId: c.id, items: [{ productId: 'P', quantity: 2, price: 1250, productName: 'Widget' }], source: `api:${name}` })).id;
    }
    const first = await collect(deps);
    assert.deepEqual({ paid: first.paid, retry: first.retry, unknown: first.unknown }, { paid: 2, retry: 2, unknown: 2 });
    const nsf = (await paymentAttempts(db.pool, inv.nsf!)).attempts[0]!;
    assert.equal(nsf.failureCode, 'insufficient_funds');
    assert.match(nsf.providerRef!, /^pi_/);
    assert.equal((await paymentAttempts(db.pool, inv.missing!)).attempts[0]!.failureCode, 'customer_not_found');
    const ok = stripe.intents.find((i) => i.metadata.billflow_invoice_id === String(inv.ok));
    assert.equal(ok?.amount, 2975); // 25.00 + 19% VAT, in cents
    assert.equal(ok?.currency, 'eur');
    const janitor = await resolveUnknown(deps);
    assert.deepEqual({ checked: janitor.checked, paid: janitor.paid, notCharged: janitor.notCharged }, { checked: 2, paid: 1, notCharged: 1 });
    // The SDK retries a closed connection once with the same key: Stripe replays, nothing more is charged.
    assert.equal((await paymentAttempts(db.pool, inv.lost!)).attempts[0]!.resolvedBy, 'response');
    const gone = await paymentAttempts(db.pool, inv.gone!);
    assert.equal(gone.paymentStatus, 'paid');
    assert.equal(gone.attempts[0]!.resolvedBy, 'janitor');
    for (const [k, count] of stripe.createsPerKey) assert.equal(count, 1, `key ${k} created ${count} intents`);
    assert.equal((await checkLedger(db.pool)).ok, true);

    const refund = await provider.refund({ idempotencyKey: 'bf_ref_1', chargeRef: ok!.id, customer: { id: 1, externalRef: 'cus_ok', testData: null }, amountMinor: 500, currency: 'EUR' });
    const again = await provider.refund({ idempotencyKey: 'bf_ref_1', chargeRef: ok!.id, customer: { id: 1, externalRef: 'cus_ok', testData: null }, amountMinor: 500, currency: 'EUR' });
    assert.deepEqual(refund, again);
    assert.equal(stripe.refunds.length, 1, 'the replayed key refunded once');
  });

  it('refunds excess credit through Stripe against the customer\'s charge (posted, no compensation); with no charge to refund it compensates', async () => {
    const settings = paymentsSettingsSchema.parse({
      provider: 'stripe', janitorChecksMs: [0], callTimeoutMs: 5_000,
      stripe: { apiKey: 'sk_test_fake', host: '127.0.0.1', port: stripe.port, protocol: 'http', timeoutMs: 2_000 },
    });
    const provider = new StripeProvider(settings.stripe);
    const deps = { pool: db.pool, provider, log: silentLog, settings, clock: { now: () => new Date() } };
    const customer = async (name: string, cus: string) => (await createCustomer({ db: db.pool }, { name, email: `${name}@stripe.example`, currency: 'EUR',
      country: 'DE', taxRegion: 'DE', legalEntityId: 'eu', metadata: { stripeCustomerId: cus, stripePaymentMethod: 'pm_card_visa' } })).id;
    const transit = async (intentId: number) => (await db.pool.query(`select e.kind, sum(l.amount_minor)::bigint as s from journal_entries e
      join journal_lines l on l.entry_id = e.id where e.ref_id = $1 and e.kind like 'refund%' and l.account = 'refunds_in_transit' group by e.kind order by e.kind`, [intentId])).rows;
    const repayment = { currency: 'EUR', channel: 'bank_transfer', amountMinor: 1_000, receivedAt: '2026-12-05T10:00:00Z' };

    // Paid one invoice by card through Stripe, then sent 10.00 too much by bank transfer.
    const payer = await customer('refundee', 'cus_refundee');
    const inv = await createAdHocInvoice({ db: db.pool }, { customerId: payer, items: [{ productId: 'P', quantity: 1, price: 5000, productName: 'Widget' }], source: 'api:refundee' });
    assert.equal((await collect(deps, { invoiceIds: [inv.id] })).paid, 1);
    const charge = stripe.intents.find((i) => i.metadata.billflow_invoice_id === String(inv.id))!;
    const excess = await ingestRepayment({ pool: db.pool, settings: { duplicateWindowMs: 600_000 } }, { ...repayment, customerId: payer, externalRef: 'SEPA-1' });
    assert.equal(excess.excessMinor, 1_000);
    const refundsBefore = stripe.refunds.length;
    const saga = await refundExcess({ pool: db.pool, provider }, { repaymentId: excess.repaymentId, customerId: payer, currency: 'EUR', amountMinor: 1_000 });
    assert.equal(saga.status, 'posted', `compensated: ${saga.failure}`);
    assert.match(saga.providerRef!, /^re_/);
    const made = stripe.refunds.slice(refundsBefore);
    assert.deepEqual(made.map((r) => [r.payment_intent, r.amount]), [[charge.id, 1_000]]);
    assert.deepEqual(await transit(saga.intentId), [{ kind: 'refund', s: 1_000 }, { kind: 'refund_intent', s: -1_000 }], 'intent and refund posted, no compensation');
    assert.equal((await getBalance(db.pool, payer, 'EUR')).creditMinor, 0);
    const again = await refundExcess({ pool: db.pool, provider }, { repaymentId: excess.repaymentId, customerId: payer, currency: 'EUR', amountMinor: 1_000 });
    assert.deepEqual(again, saga);
    assert.equal(stripe.refunds.length, refundsBefore + 1, 'refunded once');

    // Never charged through Stripe: nothing to refund against, so the saga compensates.
    const stranger = await customer('stranger', 'cus_stranger');
    const credit = await ingestRepayment({ pool: db.pool, settings: { duplicateWindowMs: 600_000 } }, { ...repayment, customerId: stranger, externalRef: 'SEPA-2' });
    const failed = await refundExcess({ pool: db.pool, provider }, { repaymentId: credit.repaymentId, customerId: stranger, currency: 'EUR', amountMinor: 1_000 });
    assert.equal(failed.status, 'compensated');
    assert.match(failed.failure!, /no_charge/);
    assert.deepEqual(await transit(failed.intentId), [{ kind: 'refund_compensation', s: 1_000 }, { kind: 'refund_intent', s: -1_000 }]);
    assert.equal((await getBalance(db.pool, stranger, 'EUR')).creditMinor, 1_000, 'the credit is back with the customer');
    assert.equal(stripe.refunds.length, refundsBefore + 1);
    const report = await checkLedger(db.pool);
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  });
});
