/**
 * `npm run bench -- api [--only LIST] [--duration S] [--runs N] [--connections C] [--genbill-connections C] [--import-rows N] [--database-url URL] [--json]`
 *
 * The HTTP API under load: `billflow serve` runs in a child process (its own event loop and
 * core), autocannon fires from this one. Measured, each as the median of --runs runs:
 *   getInvoice   GET /api/v1/invoices/{id}, ids rotating over 1,000 invoices
 *   genBill      POST /api/v1/bill/genBill as the issue's example (no Idempotency-Key): a real,
 *                numbered, taxed invoice each time, customers rotating over 2,000
 *   genBillIdempotent  the same with a fresh Idempotency-Key per request (claimed and stored)
 *   import       POST /api/v1/customers/import, NDJSON, --import-rows customers per request
 * Every request carries an API key (auth, rate limit and idempotency are part of the figure).
 * Each figure also gives the CPU time per request of the server process, of the database
 * backends (serverCpuUs, dbCpuUs, from /proc) and of autocannon (clientCpuUs), and from them
 * cpuBoundRps: what the cores would carry with nothing else running — comparable across runs on
 * a shared machine, where rps and p99 mostly measure the other jobs.
 * --only getInvoice,genBill,genBillIdempotent,import measures a subset; --cpu-prof DIR writes
 * the server's V8 CPU profile there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createAdHocInvoice } from '../src/billing/adhoc.ts';
import { importCustomers } from '../src/customers/index.ts';
import { createApiKey } from '../src/server/api-keys.ts';
import { freshDatabase, intFlag, median, note, type BenchDatabase } from './support.ts';

const BIN = fileURLToPath(new URL('../bin/billflow.js', import.meta.url));
const CUSTOMERS = 2_000;
const INVOICES = 1_000;

interface Figures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU time per request: the server process, and the database backends serving it. */
  serverCpuUs: number;
  dbCpuUs: number;
  /** autocannon's own CPU per request (this process). */
  clientCpuUs: number;
  /**
   * Requests/s the machine's cores could carry if server, database and load generator had them
   * to themselves: cores × 1 s ÷ (server + db + client CPU per request). An estimate that lets
   * runs on a busy shared machine be compared; not a measurement.
   */
  cpuBoundRps: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in µs; 0 when it is gone or /proc is unavailable. */
function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU of the server process and of this database's backends over a measurement, so figures can
 * be compared across runs on a machine shared with other work (requests per CPU-second).
 */
function cpuMeter(serverPid: number, db: BenchDatabase) {
  const backends = async () => (await db.pool.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
  )).rows.map((r) => r.pid);
  return {
    async start() {
      const pids = await backends();
      const before = new Map(pids.map((pid) => [pid, cpuUs(pid)]));
      const server = cpuUs(serverPid);
      return async (requests: number) => {
        const after = await backends();
        let dbUs = 0;
        for (const pid of after) dbUs += cpuUs(pid) - (before.get(pid) ?? 0);
        const n = Math.max(1, requests);
        return { serverCpuUs: Math.round((cpuUs(serverPid) - server) / n), dbCpuUs: Math.round(dbUs / n) };
      };
    },
  };
}

function customerRow(i: number, tag: string) {
  return { name: `Bench ${tag} ${i}`, email: `bench-${tag}-${i}@example.com`, currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in' };
}

async function startServerProcess(databaseUrl: string, profileDir?: string): Promise<{ child: ChildProcess; url: string }> {
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeFlags, BIN, '--database-url', databaseUrl, 'serve', '--port', '0', '--no-workers'], {
    env: { ...process.env, CI: 'true', BILLFLOW_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`billflow serve exited (${code}):\n${output}`)));
  });
  return { child, url };
}

async function load(options: autocannon.Options, meter?: ReturnType<typeof cpuMeter>): Promise<Figures> {
  const stop = await meter?.start();
  const client = process.cpuUsage();
  const result = await autocannon(options);
  const clientUsage = process.cpuUsage(client);
  const cpu = stop ? await stop(result.requests.total) : { serverCpuUs: 0, dbCpuUs: 0 };
  const clientCpuUs = Math.round((clientUsage.user + clientUsage.system) / Math.max(1, result.requests.total));
  const perRequestUs = cpu.serverCpuUs + cpu.dbCpuUs + clientCpuUs;
  return {
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    ...cpu,
    clientCpuUs,
    cpuBoundRps: perRequestUs > 0 ? Math.round((availableParallelism() * 1e6) / perRequestUs) : 0,
  };
}

function medianOf(runs: Figures[]): Figures & { runs: number[] } | null {
  if (runs.length === 0) return null;
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    serverCpuUs: median(runs.map((r) => r.serverCpuUs)),
    dbCpuUs: median(runs.map((r) => r.dbCpuUs)),
    clientCpuUs: median(runs.map((r) => r.clientCpuUs)),
    cpuBoundRps: median(runs.map((r) => r.cpuBoundRps)),
    runs: runs.map((r) => r.rps),
  };
}

export async function benchApi(flags: Map<string, string>): Promise<Record<string, unknown>> {
  const duration = intFlag(flags, 'duration', 10);
  const runs = intFlag(flags, 'runs', 3);
  const connections = intFlag(flags, 'connections', 32);
  const genBillConnections = intFlag(flags, 'genbill-connections', 64);
  const importRows = intFlag(flags, 'import-rows', 100_000);
  const parts = new Set((flags.get('only') ?? 'getInvoice,genBill,genBillIdempotent,import').split(','));
  const loadBefore = loadavg()[0]!;
  const db = await freshDatabase(flags, 'api');
  let server: { child: ChildProcess; url: string } | null = null;
  try {
    note(`setting up ${CUSTOMERS} customers and ${INVOICES} invoices`);
    await importCustomers({ db: db.pool }, Array.from({ length: CUSTOMERS }, (_, i) => customerRow(i, 'seed')));
    const customerIds = (await db.pool.query<{ id: number }>('select id from customers order by id')).rows.map((r) => r.id);
    const items = [{ productId: 'AD234', productName: 'Premium T-Shirt', quantity: 1, price: 89900 }];
    for (let i = 0; i < INVOICES; i += 20) {
      await Promise.all(customerIds.slice(i, i + 20).map((customerId) => createAdHocInvoice({ db: db.pool }, { customerId, items, source: `bench:${customerId}` })));
    }
    const invoiceIds = (await db.pool.query<{ id: number }>('select id from invoices order by id')).rows.map((r) => r.id);
    const { key } = await createApiKey(db.pool, { name: 'bench', scopes: ['read', 'write'], rateLimit: 10_000_000 });
    server = await startServerProcess(db.url, flags.get('cpu-prof'));
    note(`server at ${server.url}; ${runs} run(s) of ${duration} s; ${connections} connections (GET), ${genBillConnections} (genBill)`);
    const headers = { authorization: `Bearer ${key}` };
    const base = { url: server.url, connections, duration, headers };

    let n = 0;
    const getInvoice = {
      ...base,
      requests: [{ method: 'GET' as const, setupRequest: (req: autocannon.Request) => ({ ...req, path: `/api/v1/invoices/${invoiceIds[n++ % invoiceIds.length]}` }) }],
    };
    const genBillRequest = (withKey: boolean, tag: string) => ({
      ...base,
      connections: genBillConnections,
      requests: [{
        method: 'POST' as const,
        setupRequest: (req: autocannon.Request) => {
          n++;
          const body = JSON.stringify({ userId: customerIds[n % customerIds.length], items: [{ productId: 'AD234', quantity: 1 + (n % 3), price: 899, productName: 'Premium T-Shirt' }] });
          const requestHeaders: Record<string, string> = { ...headers, 'content-type': 'application/json' };
          if (withKey) requestHeaders['idempotency-key'] = `${tag}-${n}`;
          return { ...req, path: '/api/v1/bill/genBill', headers: requestHeaders, body };
        },
      }],
    });

    const meter = cpuMeter(server.child.pid!, db);
    note('warming up');
    await load({ ...getInvoice, duration: 2 });
    await load({ ...genBillRequest(true, 'warm'), duration: 2 });
    const results: Record<string, Figures[]> = { getInvoice: [], genBill: [], genBillIdempotent: [] };
    const importRates: number[] = [];
    for (let run = 1; run <= runs; run++) {
      if (parts.has('getInvoice')) results.getInvoice!.push(await load(getInvoice, meter));
      if (parts.has('genBill')) results.genBill!.push(await load(genBillRequest(false, `run${run}`), meter));
      if (parts.has('genBillIdempotent')) results.genBillIdempotent!.push(await load(genBillRequest(true, `key${run}`), meter));
      if (!parts.has('import')) {
        note(`run ${run}: ${Object.entries(results).filter(([, r]) => r.length > 0).map(([k, r]) => `${k} ${r.at(-1)!.rps} rps p99 ${r.at(-1)!.p99Ms} ms (server ${r.at(-1)!.serverCpuUs} + db ${r.at(-1)!.dbCpuUs} + client ${r.at(-1)!.clientCpuUs} µs CPU/request)`).join(', ')}`);
        continue;
      }
      const body = Array.from({ length: importRows }, (_, i) => JSON.stringify(customerRow(i, `import${run}`))).join('\n');
      const started = performance.now();
      const response = await fetch(`${server.url}/api/v1/customers/import`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body });
      const ms = performance.now() - started;
      if (response.status !== 201) throw new Error(`import: ${response.status} ${await response.text()}`);
      importRates.push(Math.round((importRows * 1000) / ms));
      note(`run ${run}: ${Object.entries(results).filter(([, r]) => r.length > 0).map(([k, r]) => `${k} ${r.at(-1)!.rps} rps p99 ${r.at(-1)!.p99Ms} ms`).join(', ')}, import ${importRates.at(-1)} customers/s`);
    }
    const invoices = (await db.pool.query<{ n: number }>('select count(*)::int as n from invoices')).rows[0]!.n;
    return {
      getInvoice: medianOf(results.getInvoice!),
      genBill: medianOf(results.genBill!),
      genBillIdempotent: medianOf(results.genBillIdempotent!),
      import: importRates.length > 0 ? { rowsPerRequest: importRows, customersPerSec: median(importRates), runs: importRates } : null,
      invoicesIssued: invoices,
      settings: { runs, durationS: duration, connections, genBillConnections, loadAverage: [loadBefore, loadavg()[0]!].map((x) => Math.round(x * 10) / 10), server: 'billflow serve --no-workers (child process)', node: process.version },
    };
  } finally {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited; // its CPU profile (--cpu-prof DIR) is written on exit
    }
    await db.drop();
    await db.close();
  }
}
