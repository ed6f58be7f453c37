/**
 * `billflow seed`: writes a deterministic synthetic dataset — the catalog (idempotent upsert)
 * and N new customers with their subscriptions, usage, loans, payments and one-off charges.
 * Same (seed, period, starting ids) → same rows, byte for byte.
 *
 * Pipeline: a generator thread builds customers chunk by chunk and encodes them to COPY text
 * (chunk-generator.ts), staying a few chunks ahead (bounded memory); this thread streams each
 * chunk to Postgres (load.ts), in bulk mode (one transaction, constraints rebuilt around the
 * load: bulk.ts) or incremental mode (a transaction per chunk on a few connections).
 *
 * Ids are explicit and continue after the highest id in use (max(id) or the identity
 * sequence, whichever is higher); the customer range is reserved on the sequence before the
 * load and every sequence is moved past the new rows afterwards, so later inserts never collide
 * and seeding twice simply adds more customers. One seed runs at a time per database (advisory
 * lock). In incremental mode a failure leaves the chunks committed so far (complete customers);
 * in bulk mode it leaves nothing.
 */
import type pg from 'pg';
import { currentPeriod, parsePeriod } from './calendar.ts';
import type { GeneratorConfig, GeneratorResult } from './chunk-generator.ts';
import { inProcessSource, threadSource } from './chunk-source.ts';
import { beginBulk, chooseMode, dropConstraints, type LoadMode, restoreConstraints } from './bulk.ts';
import { writeChunks } from './load.ts';
import { ID_TABLES, type IdTable } from './rows.ts';
import { upsertCatalog } from './upsert-catalog.ts';

export interface SeedOptions {
  customers: number;
  seed: number;
  /** 'YYYY-MM' the usage and charges fall in; default: the current month (UTC). */
  period?: string;
  /** Customers written so far (committed, except that bulk mode reports the last step on commit). */
  onProgress?: (done: number, total: number) => void;
  /** COPY connections taken from the pool in incremental mode (1–8, default 2). */
  connections?: number;
  /** Customers per chunk of COPYs (100–100,000, default 5,000). */
  chunkSize?: number;
  /** Default: bulk for large seeds into small tables, else incremental (see bulk.ts). */
  mode?: LoadMode;
  /** Generate in a worker thread (default true); false generates on this thread. */
  threads?: boolean;
  /** Phase timings (bulk mode), for --verbose and benchmarks. */
  log?: (message: string) => void;
}

export interface SeedSummary {
  customers: number;
  firstCustomerId: number;
  lastCustomerId: number;
  subscriptions: number;
  usageEvents: number;
  loans: number;
  oneOffCharges: number;
  payments: number;
  customerCoupons: number;
  bySegment: Record<string, number>;
  byCurrency: Record<string, number>;
  /** Invoice lines the period's run should produce per billed customer (see generators). */
  expectedLinesPerInvoice: number;
  durationMs: number;
}

export const MAX_SEED_CUSTOMERS = 50_000_000;
const SEED_LOCK_KEY = 0x73656564; // 'seed': one seeding process at a time per database

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`seedDataset: ${name} must be an integer ${min}–${max}, got ${value}`);
  }
  return value;
}

export async function seedDataset(pool: pg.Pool, options: SeedOptions): Promise<SeedSummary> {
  const startedAt = performance.now();
  const count = checkInt('customers', options.customers, 1, MAX_SEED_CUSTOMERS);
  const seed = checkInt('seed', options.seed, 0, 2 ** 32 - 1);
  const connections = checkInt('connections', options.connections ?? 2, 1, 8);
  const chunkSize = checkInt('chunkSize', options.chunkSize ?? 5000, 100, 100_000);
  const period = parsePeriod(options.period ?? currentPeriod());
  const control = await pool.connect();
  let failed = false;
  try {
    await control.query('select pg_advisory_lock($1)', [SEED_LOCK_KEY]);
    await upsertCatalog(control);
    const mode = options.mode ?? chooseMode(count, (await lastIds(control)).customers);
    options.log?.(`seed: ${count} customers, ${mode} mode`);
    // Bulk mode commits once, after rebuilding constraints: hold the bar just short of the end.
    const onProgress = options.onProgress;
    const progress = onProgress && mode === 'bulk' ? (done: number, total: number) => onProgress(Math.min(done, total - 1), total) : onProgress;
    const run: Runner = async (last, clients) => {
      // Reserve the customer ids up front; the other tables' counts are known only at the end.
      await control.query(`select setval(pg_get_serial_sequence('customers', 'id'), $1)`, [last.customers + count]);
      const config: GeneratorConfig = { seed, period, firstCustomerId: last.customers + 1, count, chunkSize, lastId: last };
      const source = options.threads === false ? inProcessSource(config) : threadSource(config, connections + 2);
      try {
        await writeChunks(clients, source, count, mode === 'bulk', progress);
        return await source.result();
      } finally {
        await source.close();
      }
    };
    let result: GeneratorResult;
    let last: Record<IdTable, number>;
    try {
      if (mode === 'bulk') [result, last] = await bulkLoad(control, run, options.log);
      else [result, last] = await incrementalLoad(pool, control, connections, run);
    } catch (error) {
      // Committed chunks (incremental mode) still need the sequences moved past them.
      await syncSequences(control).catch(() => undefined);
      throw error;
    }
    await syncSequences(control);
    if (mode === 'bulk') onProgress?.(count, count);
    return summarize(result, last, count, startedAt);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await control.query('select pg_advisory_unlock($1)', [SEED_LOCK_KEY]).catch(() => undefined);
    // A connection that failed mid-COPY may be out of step with the server: do not reuse it.
    control.release(failed);
  }
}

type Log = ((message: string) => void) | undefined;
type Runner = (last: Record<IdTable, number>, clients: pg.PoolClient[]) => Promise<GeneratorResult>;

/** One transaction on the control connection; see bulk.ts for why and when. */
async function bulkLoad(control: pg.PoolClient, run: Runner, log: Log): Promise<[GeneratorResult, Record<IdTable, number>]> {
  try {
    await beginBulk(control);
    const last = await lastIds(control); // read under the table locks, before the indexes go
    const plan = await dropConstraints(control);
    let started = performance.now();
    const result = await run(last, [control]);
    log?.(`seed: loaded in ${Math.round(performance.now() - started)} ms`);
    started = performance.now();
    await restoreConstraints(control, plan, log);
    log?.(`seed: indexes and foreign keys restored in ${Math.round(performance.now() - started)} ms`);
    await control.query('commit');
    return [result, last];
  } catch (error) {
    await control.query('rollback').catch(() => undefined);
    throw error;
  }
}

async function incrementalLoad(
  pool: pg.Pool,
  control: pg.PoolClient,
  connections: number,
  run: Runner,
): Promise<[GeneratorResult, Record<IdTable, number>]> {
  const last = await lastIds(control);
  const clients: pg.PoolClient[] = [];
  let ok = false;
  try {
    for (let i = 0; i < connections; i++) clients.push(await pool.connect());
    const result = await run(last, clients);
    ok = true;
    return [result, last];
  } finally {
    // A client whose COPY failed may be mid-protocol: destroy rather than reuse it.
    for (const c of clients) c.release(!ok);
  }
}

function summarize(result: GeneratorResult, last: Record<IdTable, number>, count: number, startedAt: number): SeedSummary {
  const made = (t: Exclude<IdTable, 'customers'>): number => result.lastId[t] - last[t];
  const t = result.tallies;
  return {
    customers: count,
    firstCustomerId: last.customers + 1,
    lastCustomerId: last.customers + count,
    subscriptions: made('subscriptions'),
    usageEvents: made('usage_events'),
    loans: made('loans'),
    oneOffCharges: made('one_off_charges'),
    payments: made('payments'),
    customerCoupons: result.customerCoupons,
    bySegment: t.bySegment,
    byCurrency: t.byCurrency,
    expectedLinesPerInvoice: t.billedCustomers === 0 ? 0 : Math.round((t.expectedLines / t.billedCustomers) * 100) / 100,
    durationMs: Math.round(performance.now() - startedAt),
  };
}

interface IdState {
  seq: string;
  maxId: number;
  seqLast: number; // 0 when the sequence has not been used
}

async function idState(client: pg.PoolClient, table: IdTable): Promise<IdState> {
  const { rows } = await client.query<{ seq: string | null; max_id: number }>(
    `select pg_get_serial_sequence($1, 'id') as seq, (select coalesce(max(id), 0) from ${table}) as max_id`,
    [table],
  );
  const seq = rows[0]?.seq;
  if (!seq) throw new Error(`${table}.id has no identity sequence`);
  const state = await client.query<{ last_value: number; is_called: boolean }>(`select last_value, is_called from ${seq}`);
  const seqLast = state.rows[0]?.is_called ? Number(state.rows[0].last_value) : 0;
  return { seq, maxId: Number(rows[0]?.max_id ?? 0), seqLast };
}

/** Highest id in use per table: the larger of max(id) and the identity sequence's position. */
async function lastIds(client: pg.PoolClient): Promise<Record<IdTable, number>> {
  const out = {} as Record<IdTable, number>;
  for (const table of ID_TABLES) {
    const s = await idState(client, table);
    out[table] = Math.max(s.maxId, s.seqLast);
  }
  return out;
}

/** Moves each identity sequence past the ids now in use (never backwards). */
async function syncSequences(client: pg.PoolClient): Promise<void> {
  for (const table of ID_TABLES) {
    const s = await idState(client, table);
    if (s.maxId > s.seqLast) await client.query('select setval($1::regclass, $2)', [s.seq, s.maxId]);
  }
}
