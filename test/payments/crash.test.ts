import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, spawnCli, waitFor } from '../support/cli.ts';
import { chargedButNotPaid, customerWithInvoice, doubleCharges } from './support.ts';

const INVOICES = 300;

async function n(db: TestDatabase, sql: string): Promise<number> {
  return Number((await db.pool.query(sql)).rows[0].n);
}

describe('a collector killed mid-batch', () => {
  let db: TestDatabase;
  let config: string;
  before(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < INVOICES; i++) await customerWithInvoice(db.pool, i % 10 === 0 ? 'lost_answer' : i % 7 === 0 ? 'insufficient_funds' : null, 'crash');
    config = join(mkdtempSync(join(tmpdir(), 'billflow-pay-')), 'billflow.config.json');
    // The sandbox does not honour idempotency keys here: a key sent twice would show as two charges.
    writeFileSync(config, JSON.stringify({ payments: {
      batchSize: 40, concurrency: 4, callTimeoutMs: 300, janitorChecksMs: [0],
      sandbox: { latencyMs: 15, timeoutMs: 20, honourIdempotencyKeys: false },
    } }));
  });
  after(async () => {
    await db.drop();
  });

  it('never charges twice: restarted, it settles the orphaned attempts by asking the provider and collects the rest', async () => {
    const child = spawnCli(['--config', config, 'collect', '--json'], { databaseUrl: db.url });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Kill it while attempts are charged at the sandbox but not yet recorded.
    await waitFor(async () => (await n(db, `select count(*) as n from payment_attempts a join sandbox_charges s using (idempotency_key)
      where a.status = 'started'`)) > 0, 60_000, `a charge made but not recorded yet\n${stderr}`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const orphaned = await n(db, `select count(*) as n from payment_attempts where status = 'started'`);
    assert.ok(orphaned > 0, 'the kill left attempts without their outcome');
    assert.ok(await n(db, `select count(*) as n from invoices where payment_status = 'pending'`) > 0, 'killed mid-batch, work was left');

    await new Promise((r) => setTimeout(r, 700)); // orphans are attempts older than twice the call timeout
    for (let round = 0; round < 5; round++) {
      const r = await runCli(['--config', config, 'collect', '--json'], { databaseUrl: db.url });
      assert.equal(r.code, 0, r.stderr);
      const left = await n(db, `select count(*) as n from invoices i where payment_status in ('pending', 'unknown')
        and not exists (select 1 from payment_schedules s where s.invoice_id = i.id and s.next_attempt_at > now())`);
      if (left === 0) break;
    }
    assert.equal(await n(db, `select count(*) as n from payment_attempts where status in ('started', 'unknown')`), 0);
    assert.ok(await n(db, `select count(*) as n from payment_attempts where resolved_by = 'janitor'`) >= 1, 'the janitor settled the orphans');
    assert.deepEqual(await doubleCharges(db.pool), { perKey: 0, perInvoice: 0, paidTwice: 0 });
    assert.equal(await chargedButNotPaid(db.pool), 0);
    // Every invoice is accounted for: paid, or declined with a retry scheduled.
    const unpaid = await n(db, `select count(*) as n from invoices i where payment_status <> 'paid' and not exists (
      select 1 from payment_schedules s where s.invoice_id = i.id)`);
    assert.equal(unpaid, 0);
    const check = await runCli(['ledger', 'check', '--json'], { databaseUrl: db.url });
    assert.equal(check.code, 0, check.stdout);
  });

  it('two collector processes at once charge every invoice once', async () => {
    const fresh = [];
    for (let i = 0; i < 150; i++) fresh.push((await customerWithInvoice(db.pool, null, 'pair')).invoiceId);
    const [a, b] = await Promise.all([
      runCli(['--config', config, 'collect', '--json'], { databaseUrl: db.url }),
      runCli(['--config', config, 'collect', '--json'], { databaseUrl: db.url }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const attempts = JSON.parse(a.stdout).attempts + JSON.parse(b.stdout).attempts;
    assert.ok(attempts >= 150, `every fresh invoice attempted (${attempts})`);
    assert.deepEqual(await doubleCharges(db.pool), { perKey: 0, perInvoice: 0, paidTwice: 0 });
    assert.equal(await n(db, `select count(*) as n from invoices where id = any('{${fresh.join(',')}}') and payment_status = 'paid'`), 150);
  });
});
