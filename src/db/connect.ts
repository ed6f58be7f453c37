import pg from 'pg';
import { BillflowError } from '../errors.ts';
import { openEmbeddedPostgres } from './embedded.ts';

/**
 * Where Billflow's Postgres is: an external server named by a URL (DATABASE_URL), or the embedded
 * instance of a data dir, started on first use and shared by every process using that dir.
 */
export interface OpenDatabaseOptions {
  /** External Postgres ≥ 14. Undefined: env DATABASE_URL; empty or unset: the embedded instance. */
  databaseUrl?: string;
  /** Data dir of the embedded instance; default `.billflow` (relative to the working dir). */
  dataDir?: string;
  /** Progress lines ('starting embedded Postgres 18.4 in .billflow/pg on port 40123…'). */
  log?: (line: string) => void;
  /** Embedded only: leave the server running after close() and process exit. */
  keepRunning?: boolean;
}

export interface Database {
  /** A superuser-or-owner URL: may CREATE DATABASE on the embedded instance. */
  connectionString: string;
  embedded: boolean;
  /** Embedded: detach (the server stops when no other process uses it). External: no-op. */
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.billflow';
export const MIN_SERVER_VERSION_NUM = 140_000;
const EXTERNAL_CONNECT_TIMEOUT_MS = 10_000;

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const log = options.log ?? (() => undefined);
  const url = options.databaseUrl !== undefined ? options.databaseUrl : process.env.DATABASE_URL;
  if (url) {
    const version = await checkExternalDatabase(url);
    log(`using Postgres ${version} at ${maskDatabaseUrl(url)}`);
    return { connectionString: url, embedded: false, close: () => Promise.resolve() };
  }
  const embedded = await openEmbeddedPostgres({
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    log,
    ...(options.keepRunning === undefined ? {} : { keepRunning: options.keepRunning }),
  });
  return { connectionString: embedded.connectionString, embedded: true, close: () => embedded.close() };
}

/** Connects once; returns the server version, or throws naming the (masked) URL. */
async function checkExternalDatabase(url: string): Promise<string> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: EXTERNAL_CONNECT_TIMEOUT_MS,
    query_timeout: EXTERNAL_CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  let row: { server_version: string; server_version_num: string } | undefined;
  try {
    await client.connect();
    const result = await client.query<{ server_version: string; server_version_num: string }>(
      `select current_setting('server_version') as server_version,
              current_setting('server_version_num') as server_version_num`,
    );
    row = result.rows[0];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BillflowError('database_unreachable', `cannot connect to Postgres at ${maskDatabaseUrl(url)}: ${reason}`, {
      httpStatus: 503,
      retryable: true,
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!row || Number(row.server_version_num) < MIN_SERVER_VERSION_NUM) {
    throw new BillflowError(
      'database_unsupported',
      `Postgres at ${maskDatabaseUrl(url)} is version ${row?.server_version ?? 'unknown'}; Billflow needs 14 or newer`,
    );
  }
  return row.server_version;
}

/** The URL with its password replaced by ***, for messages and logs. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of ['password', 'sslpassword']) {
      if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // keyword/value form ("host=… password=…") or garbage
    return url.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***').replace(/:\/\/([^:/@]*):[^@]*@/, '://$1:***@');
  }
}
