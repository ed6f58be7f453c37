import path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

/**
 * What an embedded instance is configured with: the public options and their defaults, the
 * server's settings, and the per-data-dir context (resolved options + file layout) that every
 * other embedded-*.ts file works from.
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  log?: (line: string) => void;
  /** close() and process exit leave the server running (e.g. `billflow db start`). */
  keepRunning?: boolean;
  /** Fixed port; default: a free one picked at each start. */
  port?: number;
  /** Extra or overriding server settings (-c name=value); listen/port/socket settings are fixed. */
  settings?: Record<string, string>;
  timeouts?: Partial<EmbeddedTimeouts>;
}

export interface EmbeddedTimeouts {
  /** Wait for the start/stop lock held by another process (longer than a start plus a stop). */
  lockMs: number;
  /** initdb, or a start until the server answers (crash recovery after a kill included). */
  startMs: number;
  /** A running server that does not answer within this is stopped and restarted. */
  answerMs: number;
  /** Fast shutdown (SIGINT) before escalating to immediate shutdown (SIGQUIT). */
  stopMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<EmbeddedTimeouts> = {
  lockMs: 150_000,
  startMs: 60_000,
  answerMs: 10_000,
  stopMs: 30_000,
};

/**
 * Sized for a billing workload on a small machine (2 cores, plenty of RAM): big enough buffers and
 * WAL that bulk invoice runs do not checkpoint every few seconds; durability left on (Billflow
 * relaxes synchronous_commit per transaction where that is safe). UTC so timestamps never depend on
 * the host. Overridable through `settings`.
 */
export const EMBEDDED_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  max_connections: '200',
  shared_buffers: '256MB',
  wal_buffers: '16MB',
  work_mem: '16MB',
  maintenance_work_mem: '256MB',
  effective_cache_size: '4GB',
  max_wal_size: '4GB',
  checkpoint_timeout: '15min',
  random_page_cost: '1.1',
  max_parallel_workers_per_gather: '1',
  synchronous_commit: 'on',
  fsync: 'on',
  timezone: 'UTC',
  log_timezone: 'UTC',
};

export const HOST = '127.0.0.1';

export interface Paths {
  root: string;
  pg: string;
  staging: string;
  log: string;
  credentials: string;
  sessions: string;
  session: string;
  lock: string;
}

export interface Credentials {
  user: string;
  password: string;
  database: string;
}

export interface Context {
  paths: Paths;
  log: (line: string) => void;
  timeouts: EmbeddedTimeouts;
  options: EmbeddedPostgresOptions;
}

/** The options with their defaults filled in, for the data dir whose files are `paths`. */
export function contextFor(paths: Paths, options: EmbeddedPostgresOptions): Context {
  return {
    paths,
    log: options.log ?? (() => undefined),
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    options,
  };
}

export function pathsFor(root: string): Paths {
  const sessions = path.join(root, 'sessions');
  return {
    root,
    pg: path.join(root, 'pg'),
    staging: path.join(root, 'pg.init'),
    log: path.join(root, 'pg.log'),
    credentials: path.join(root, 'pg-credentials.json'),
    sessions,
    session: path.join(sessions, isMainThread ? `${process.pid}.json` : `${process.pid}-t${threadId}.json`),
    lock: path.join(root, 'lock'),
  };
}

/** Relative to the working directory when inside it: shorter log lines. */
export function displayPath(target: string): string {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : target;
}

export function serverFlags(ctx: Context): string[] {
  const { port: _port, ...overrides } = ctx.options.settings ?? {}; // the port is -p, read back from postmaster.pid
  const settings: Record<string, string> = {
    ...EMBEDDED_SERVER_SETTINGS,
    ...overrides,
    listen_addresses: HOST, // never reachable from other machines
    unix_socket_directories: '', // no sockets: never /var/run/postgresql, no path-length limit
  };
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

export function serverEnv(): NodeJS.ProcessEnv {
  // A clean environment: PG* variables of the caller must not leak into the server.
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
}
