import type pg from 'pg';
import { createRun } from '../src/billing/run.ts';
import { executeRun } from '../src/billing/execute.ts';
import { SHARD_TASK } from '../src/billing/run-sql.ts';
import { configSchema } from '../src/config/index.ts';
import { seedDataset } from '../src/seed/index.ts';
import { copyRows, type CopyCell } from '../src/db/copy.ts';
import { invoiceColumns, lineColumns, outboxColumns } from '../src/billing/persist-sql.ts';
import { silentLog } from '../src/log.ts';
import { entryColumns, lineColumns as journalLineColumns } from '../src/ledger/ledger-sql.ts';
import { freshDatabase, intFlag, median, note, postgresCpuSampler, rssSampler, type BenchDatabase } from './support.ts';

const PERIOD = '2026-11';
/**
 * An embedded instance of its own: the Postgres CPU figure counts every process of the instance,
 * so another benchmark sharing it (api, pdf) would be counted as ours.
 */
const BENCH_DATA_DIR = '.billflow/bench-billing';
const ISSUE_DATE = '2026-12-01';

async function seedAndRun(db: BenchDatabase, customers: number, threads: number, concurrency: number, shardSize: number) {
  const seedStart = performance.now();
  await seedDataset(db.pool, { customers, seed: 1, period: PERIOD });
  const seedMs = Math.round(performance.now() - seedStart);
  note(`seeded ${customers} customers in ${seedMs} ms`);
  // The run starts from a settled database, as a month-end run does: the seed's tables vacuumed
  // and analyzed, its dirty pages checkpointed. Without this, autovacuum and the checkpointer
  // worked off the seed's millions of fresh rows during the measured run (1–2 s of Postgres CPU
  // per 100k customers, at random).
  const settleStart = performance.now();
  await db.pool.query('vacuum (analyze)');
  await db.pool.query('checkpoint');
  note(`vacuumed, analyzed and checkpointed the seeded database in ${Math.round(performance.now() - settleStart)} ms`);
  const rss = rssSampler();
  const pgCpu = await postgresCpuSampler(db.pool);
  const pgCpuBefore = pgCpu.sampleMs();
  const nodeCpuBefore = process.cpuUsage();
  const created = await createRun(db.pool, { period: PERIOD, issueDate: ISSUE_DATE, shardSize, maxAttempts: 3, netTermsDays: 15 });
  const summary = await executeRun({ pool: db.pool, log: silentLog }, {
    runId: created.runId, threads, pollMs: 100,
    // Billing only: the shards queue their PDFs (src/documents), which have their own benchmark
    // (`bench pdf`); rendering them in these threads would be measured as billing.
    runner: { connectionString: db.url, concurrency, pollIntervalMs: 500, heartbeatMs: 5000, deadAfterMs: 60000, tasks: [SHARD_TASK] },
  });
  rss.stop();
  const nodeCpu = process.cpuUsage(nodeCpuBefore);
  const pgCpuAfter = pgCpu.sampleMs();
  const cpuMs = {
    billflow: Math.round((nodeCpu.user + nodeCpu.system) / 1000),
    postgres: pgCpuBefore === null || pgCpuAfter === null ? null : pgCpuAfter - pgCpuBefore,
  };
  note(`cpu time: ${JSON.stringify(cpuMs)}`);
  const stages = (await db.pool.query(`select coalesce(sum((stage_ms->>'load')::int), 0)::int as load,
      coalesce(sum((stage_ms->>'compute')::int + (stage_ms->>'validate')::int + (stage_ms->>'dedupe')::int), 0)::int as compute,
      coalesce(sum((stage_ms->>'persist')::int), 0)::int as persist from billing_shards where run_id = $1`, [created.runId])).rows[0];
  note(`stage totals over all shards (ms of thread time): ${JSON.stringify(stages)}`);
  if (summary.failedShards > 0) throw new Error(`run ${summary.runId} parked ${summary.failedShards} shard(s)`);
  note(`billed ${summary.invoices} invoices (${summary.lines} lines) in ${summary.durationMs} ms`);
  return { seedMs, summary, peakRssMb: rss.peakMb(), stages, cpuMs };
}

/** The run's own output rows, to replay through the naive loop and the raw COPY floor. */
/**
 * The run's other output rows, written in the same shard transactions: its outbox events (one per
 * invoice or quarantined draft) and the invoices' journal entries, journal lines and customer
 * balances (src/ledger). The floor copies them too.
 */
const OTHER_OUTPUT: { table: string; columns: readonly string[] }[] = [
  { table: 'outbox_events', columns: outboxColumns },
  { table: 'journal_entries', columns: entryColumns },
  { table: 'journal_lines', columns: journalLineColumns },
  { table: 'customer_balances', columns: ['customer_id', 'currency', 'receivable_minor', 'credit_minor'] },
];

async function readOutput(pool: pg.Pool): Promise<{ invoices: CopyCell[][]; lines: Map<number, CopyCell[][]>; other: CopyCell[][][] }> {
  const inv = await pool.query({ text: `select ${invoiceColumns.join(', ')} from invoices order by id`, rowMode: 'array' });
  const lin = await pool.query({ text: `select ${lineColumns.join(', ')} from invoice_lines order by invoice_id, line_no`, rowMode: 'array' });
  const lines = new Map<number, CopyCell[][]>();
  for (const row of lin.rows as CopyCell[][]) {
    const id = row[0] as number;
    let list = lines.get(id);
    if (!list) lines.set(id, (list = []));
    list.push(row.map((c) => (c !== null && typeof c === 'object' ? JSON.stringify(c) : c)));
  }
  const invoices = (inv.rows as CopyCell[][]).map((row) => row.map((c) => (c !== null && typeof c === 'object' && !(c instanceof Date) ? JSON.stringify(c) : c)));
  const other: CopyCell[][][] = [];
  for (const { table, columns } of OTHER_OUTPUT) {
    const rows = (await pool.query({ text: `select ${columns.join(', ')} from ${table}`, rowMode: 'array' })).rows as CopyCell[][];
    other.push(rows.map((row) => row.map((c) => (c !== null && typeof c === 'object' && !(c instanceof Date) ? JSON.stringify(c) : c))));
  }
  return { invoices, lines, other };
}

async function emptyCopyOfTables(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`drop schema if exists ${schema} cascade; create schema ${schema};
    create table ${schema}.invoices (like public.invoices including all);
    create table ${schema}.invoice_lines (like public.invoice_lines including all);
    ${OTHER_OUTPUT.map(({ table }) => `create table ${schema}.${table} (like public.${table} including all);`).join('\n    ')}`);
}

/**
 * (b) the write floor: one COPY of the same invoices, lines and other output rows, no load, no
 * compute. Its CPU time (this process and the instance's Postgres processes) is measured as the
 * run's is, so the two can be compared on a machine where other work competes for the cores.
 */
async function measureFloor(pool: pg.Pool, out: Awaited<ReturnType<typeof readOutput>>): Promise<{ ms: number; cpuMs: number | null }> {
  await emptyCopyOfTables(pool, 'floor');
  const pgCpu = await postgresCpuSampler(pool);
  const client = await pool.connect();
  try {
    const pgBefore = pgCpu.sampleMs();
    const nodeBefore = process.cpuUsage();
    const start = performance.now();
    await client.query('begin');
    await copyRows(client, 'floor.invoice_lines', lineColumns, (function* () {
      for (const list of out.lines.values()) yield* list;
    })());
    await copyRows(client, 'floor.invoices', invoiceColumns, out.invoices);
    for (const [i, { table, columns }] of OTHER_OUTPUT.entries()) await copyRows(client, `floor.${table}`, columns, out.other[i]!);
    await client.query('commit');
    const ms = Math.round(performance.now() - start);
    const node = process.cpuUsage(nodeBefore);
    const pgAfter = pgCpu.sampleMs();
    const cpuMs = pgBefore === null || pgAfter === null ? null : Math.round((node.user + node.system) / 1000) + pgAfter - pgBefore;
    return { ms, cpuMs };
  } finally {
    client.release();
  }
}

/** (a) the naive loop: one transaction per invoice, single-row INSERTs awaited one by one. */
async function measureNaive(pool: pg.Pool, out: Awaited<ReturnType<typeof readOutput>>, limit: number): Promise<{ ms: number; invoices: number }> {
  await emptyCopyOfTables(pool, 'naive');
  const client = await pool.connect();
  const invSql = `insert into naive.invoices (${invoiceColumns.join(', ')}) values (${invoiceColumns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const lineSql = `insert into naive.invoice_lines (${lineColumns.join(', ')}) values (${lineColumns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const invoices = out.invoices.slice(0, limit);
  try {
    const start = performance.now();
    for (const row of invoices) {
      await client.query('begin');
      await client.query(invSql, row);
      for (const line of out.lines.get(row[0] as number) ?? []) await client.query(lineSql, line);
      await client.query('commit');
    }
    return { ms: Math.round(performance.now() - start), invoices: invoices.length };
  } finally {
    client.release();
  }
}

export async function benchBilling(flags: Map<string, string>): Promise<Record<string, unknown>> {
  const customers = intFlag(flags, 'customers', 1_000_000);
  const compare = intFlag(flags, 'compare', Math.min(customers, 100_000));
  // The run as `billflow run` does it by default: its worker threads and shards per thread.
  const defaults = configSchema.parse({});
  const threads = intFlag(flags, 'threads', defaults.billing.workers);
  const concurrency = intFlag(flags, 'concurrency', defaults.worker.concurrency);
  const shardSize = intFlag(flags, 'shard-size', 5_000);
  const result: Record<string, unknown> = { bench: 'billing', customers, threads, concurrency, shardSize };

  const main = await freshDatabase(flags, 'billing', BENCH_DATA_DIR);
  try {
    const { seedMs, summary, peakRssMb, stages, cpuMs } = await seedAndRun(main, customers, threads, concurrency, shardSize);
    Object.assign(result, {
      seedMs, seedCustomersPerSec: Math.round((customers * 1000) / seedMs),
      durationMs: summary.durationMs, invoices: summary.invoices, lines: summary.lines,
      linesPerInvoice: Number((summary.lines / Math.max(1, summary.invoices)).toFixed(2)),
      quarantined: summary.quarantined, skipped: summary.skipped,
      invoicesPerSec: summary.invoicesPerSec, peakRssMb, stageMs: stages, cpuMs,
    });
  } finally {
    await main.drop();
    await main.close();
  }
  if (compare > 0) Object.assign(result, await compareWithPeers(flags, compare, threads, concurrency, shardSize));
  return result;
}

/**
 * Ours against the naive loop and the COPY floor on the same output, in --rounds rounds (default
 * 3), each on a freshly seeded database: ours, then the floor right after it, so that both see the
 * same machine. Ratios are medians over the rounds; the naive loop is measured in the first round
 * only (it is the slow one, and the figure it is compared with is 10×, not 2×).
 */
async function compareWithPeers(flags: Map<string, string>, compare: number, threads: number, concurrency: number, shardSize: number) {
  const rounds = intFlag(flags, 'rounds', 3);
  const ours: number[] = [], floors: number[] = [], oursCpu: number[] = [], floorsCpu: number[] = [];
  let naiveMs = 0, naiveMeasured = 0, invoices = 0;
  for (let round = 0; round < rounds; round++) {
    const cmp = await freshDatabase(flags, 'compare', BENCH_DATA_DIR);
    try {
      const run = await seedAndRun(cmp, compare, threads, concurrency, shardSize);
      const out = await readOutput(cmp.pool);
      invoices = out.invoices.length;
      const floor = await measureFloor(cmp.pool, out);
      note(`round ${round + 1}/${rounds}: ours ${run.summary.durationMs} ms, floor (COPY of ${invoices} invoices) ${floor.ms} ms`);
      ours.push(run.summary.durationMs);
      floors.push(floor.ms);
      if (run.cpuMs.postgres !== null && floor.cpuMs !== null) {
        oursCpu.push(run.cpuMs.billflow + run.cpuMs.postgres);
        floorsCpu.push(floor.cpuMs);
      }
      if (round === 0) {
        const naive = await measureNaive(cmp.pool, out, intFlag(flags, 'naive-limit', invoices));
        // Scaled only when --naive-limit samples fewer invoices than the run wrote (said in the output).
        naiveMs = Math.round((naive.ms * invoices) / Math.max(1, naive.invoices));
        naiveMeasured = naive.invoices;
        note(`naive: ${naive.invoices} invoices in ${naive.ms} ms`);
      }
    } finally {
      await cmp.drop();
      await cmp.close();
    }
  }
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  return {
    compare: {
      customers: compare, invoices, rounds, oursMs: ours, floorMs: floors, naiveMs, naiveMeasuredInvoices: naiveMeasured,
      oursCpuMs: oursCpu, floorCpuMs: floorsCpu,
    },
    ratioVsNaive: ratio(naiveMs, median(ours)),
    ratioVsFloor: ratio(median(ours), median(floors)),
    ratioVsFloorByRound: ours.map((o, i) => ratio(o, floors[i]!)),
    cpuRatioVsFloor: oursCpu.length ? ratio(median(oursCpu), median(floorsCpu)) : null,
  };
}
