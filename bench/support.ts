import pg from 'pg';
import { openDatabase } from '../src/db/connect.ts';
import { createPool } from '../src/db/pool.ts';
import { prepareDatabase } from '../src/db/prepare.ts';

/** Command-line flags as `--name value` pairs (and bare `--flag` = 'true'). */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), 'true');
    else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  return flags;
}

export function intFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, got '${raw}'`);
  return n;
}

export interface BenchDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one measurement, on --database-url or an embedded instance
 * (`dataDir`, default .billflow/bench). Dropped afterwards.
 */
export async function freshDatabase(
  flags: Map<string, string>,
  label: string,
  dataDir = '.billflow/bench',
): Promise<BenchDatabase & { close(): Promise<void> }> {
  const server = await openDatabase({ databaseUrl: flags.get('database-url') ?? '', dataDir, log: (l) => process.stderr.write(`${l}\n`) });
  const name = `bench_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server.connectionString);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), { max: 10 });
  await prepareDatabase(pool, url.toString());
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: server.connectionString });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
    close: () => server.close(),
  };
}

/** Samples this process's RSS (main thread + worker threads) every 100 ms; returns the peak. */
export function rssSampler(): { peakMb(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    peakMb: () => Math.round(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 1048576),
    stop: () => clearInterval(timer),
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

export function note(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * CPU time of the Postgres server (postmaster, its live children, and the children it has reaped,
 * through cutime/cstime) — so a benchmark can say how much of the work was the database's.
 * Works when the server runs on this machine; returns null otherwise.
 */
export async function postgresCpuSampler(pool: pg.Pool): Promise<{ sampleMs(): number | null }> {
  const { readFileSync, readdirSync } = await import('node:fs');
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  const stat = (pid: number): number[] | null => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    } catch {
      return null;
    }
  };
  const backend = Number((await pool.query('select pg_backend_pid() as pid')).rows[0].pid);
  const postmaster = stat(backend)?.[1];
  if (!postmaster) return { sampleMs: () => null };
  return {
    sampleMs() {
      const own = stat(postmaster);
      if (!own) return null;
      // fields after the comm: [0]=state [1]=ppid … [11]=utime [12]=stime [13]=cutime [14]=cstime
      let ticks = own[11]! + own[12]! + own[13]! + own[14]!;
      for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        const s = stat(Number(name));
        if (s && s[1] === postmaster) ticks += s[11]! + s[12]!;
      }
      return ticks * tick;
    },
  };
}
