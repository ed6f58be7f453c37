/**
 * `npm run bench -- collect --json`: N invoices (default 100,000) collected through the sandbox
 * with 5 ms latency and 10% declines, the whole pipeline as `billflow collect` runs it (claim +
 * attempt rows, provider calls with bounded concurrency, outcomes + payments + ledger in one
 * transaction per batch). Peer, measured in the same run: the same collector one invoice at a
 * time (claim, call, record; awaited one by one) on a sample. Also proves the run charged
 * nothing twice and that the ledger balances afterwards.
 */
import { createRun } from '../src/billing/run.ts';
import { executeRun } from '../src/billing/execute.ts';
import { SHARD_TASK } from '../src/billing/run-sql.ts';
import { seedDataset } from '../src/seed/index.ts';
import { silentLog } from '../src/log.ts';
import { collect, createProvider, paymentsSettingsSchema } from '../src/payments/index.ts';
import { checkLedger } from '../src/ledger/index.ts';
import { freshDatabase, intFlag, note, postgresCpuSampler } from './support.ts';

const PERIOD = '2026-11';

export async function benchCollect(flags: Map<string, string>): Promise<Record<string, unknown>> {
  const invoices = intFlag(flags, 'invoices', 100_000);
  const latencyMs = intFlag(flags, 'latency-ms', 5);
  const concurrency = intFlag(flags, 'concurrency', 256);
  const batchSize = intFlag(flags, 'batch-size', 2_000);
  const peerSample = intFlag(flags, 'peer-sample', 1_000);
  const settings = paymentsSettingsSchema.parse({
    batchSize, concurrency, ratePerSec: 1_000_000, callTimeoutMs: 30_000,
    sandbox: { latencyMs, failureRate: 0.1, honourIdempotencyKeys: false },
  });
  const db = await freshDatabase(flags, 'collect', '.billflow/bench-collect');
  try {
    // Invoices to collect: a billing run over enough seeded customers (about 1.5% are skipped or
    // quarantined, and about 5% pay by transfer).
    await seedDataset(db.pool, { customers: Math.ceil((invoices + peerSample) * 1.1), seed: 1, period: PERIOD });
    const run = await createRun(db.pool, { period: PERIOD, issueDate: '2026-12-01', shardSize: 5_000, maxAttempts: 3, netTermsDays: 15 });
    await executeRun({ pool: db.pool, log: silentLog }, {
      runId: run.runId, threads: 1, pollMs: 100,
      runner: { connectionString: db.url, concurrency: 2, pollIntervalMs: 500, heartbeatMs: 5000, deadAfterMs: 60000, tasks: [SHARD_TASK] },
    });
    await db.pool.query('vacuum (analyze)');
    // Customers who pay by transfer (collectionMethod send_invoice, a fifth of the borrowers) are never charged.
    const ids = (await db.pool.query<{ id: number }>(`select i.id from invoices i join customers c on c.id = i.customer_id
      where i.payment_status = 'pending' and i.total_minor > 0 and c.collection_method = 'charge_automatically' order by i.id`)).rows.map((r) => r.id);
    note(`billed ${ids.length} invoices to collect`);
    const collected = Math.min(invoices, ids.length - peerSample);
    const peerIds = ids.slice(collected, collected + peerSample);
    const provider = createProvider(db.pool, settings);
    const deps = { pool: db.pool, provider, log: silentLog, settings, clock: { now: () => new Date() } };
    const pgCpu = await postgresCpuSampler(db.pool);
    const pgBefore = pgCpu.sampleMs();
    const cpuBefore = process.cpuUsage();
    // Claimed in id order: the run's first invoices here, the last `peerSample` left for the peer.
    const summary = await collect(deps, { runId: run.runId, maxAttempts: collected });
    const cpu = process.cpuUsage(cpuBefore);
    const pgAfter = pgCpu.sampleMs();
    note(`collected ${summary.attempts} in ${summary.durationMs} ms`);
    const peerStart = performance.now();
    for (const id of peerIds) await collect({ ...deps, settings: { ...settings, concurrency: 1, batchSize: 1 } }, { invoiceIds: [id] });
    const peerMs = performance.now() - peerStart;
    const q = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);
    const doubleCharges = await q(`select count(*) as n from (select reference from sandbox_charges where kind = 'charge' and status = 'succeeded' group by 1 having count(*) > 1) d`)
      + await q(`select count(*) as n from (select idempotency_key from sandbox_charges group by 1 having count(*) > 1) d`);
    const ledgerStart = performance.now();
    const ledger = await checkLedger(db.pool);
    const chargesPerSec = Math.round((summary.attempts * 1000) / summary.durationMs);
    const peerChargesPerSec = Math.round((peerIds.length * 1000) / peerMs);
    await provider.close();
    return {
      bench: 'collect', invoices: summary.attempts, latencyMs, failureRate: 0.1, concurrency, batchSize,
      durationMs: summary.durationMs, chargesPerSec, paid: summary.paid, declined: summary.retry + summary.failed, unknown: summary.unknown,
      doubleCharges, ledgerOk: ledger.ok, ledgerCheckMs: Math.round(performance.now() - ledgerStart),
      cpuMs: { billflow: Math.round((cpu.user + cpu.system) / 1000), postgres: pgBefore === null || pgAfter === null ? null : pgAfter - pgBefore },
      peer: { what: 'the same collector, one invoice at a time', invoices: peerIds.length, chargesPerSec: peerChargesPerSec },
      ratio: Number((chargesPerSec / Math.max(1, peerChargesPerSec)).toFixed(1)),
    };
  } finally {
    await db.drop();
    await db.close();
  }
}
