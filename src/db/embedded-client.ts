import pg from 'pg';
import { BillflowError } from '../errors.ts';
import { errorCode } from './embedded-process.ts';
import { HOST, type Credentials, type Paths } from './embedded-settings.ts';

/** Talking to the embedded server as a client: does it answer, its database, its URL. */

/**
 * null when the server answers a query; the error otherwise. Rejected credentials throw instead:
 * waiting or restarting would not cure them.
 */
export async function probe(paths: Paths, port: number, credentials: Credentials, timeoutMs: number): Promise<Error | null> {
  const client = newClient(port, credentials, timeoutMs);
  let error: Error | null = null;
  try {
    await client.connect();
    await client.query('select 1');
  } catch (caught) {
    error = caught instanceof Error ? caught : new Error(String(caught));
  } finally {
    await client.end().catch(() => undefined);
  }
  if (error && isAuthError(error)) throw credentialsMismatch(paths, error);
  return error;
}

/** Creates the Billflow database when missing (a new cluster has only `postgres` and the templates). */
export async function ensureDatabase(port: number, credentials: Credentials): Promise<void> {
  const client = newClient(port, credentials, 10_000);
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [credentials.database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(credentials.database)}`);
  } finally {
    await client.end();
  }
}

export function connectionStringFor(credentials: Credentials, port: number): string {
  const user = encodeURIComponent(credentials.user);
  const password = encodeURIComponent(credentials.password);
  return `postgresql://${user}:${password}@${HOST}:${port}/${encodeURIComponent(credentials.database)}`;
}

/** A client of the `postgres` database; its errors surface through its calls, not as events. */
function newClient(port: number, credentials: Credentials, timeoutMs: number): pg.Client {
  const client = new pg.Client({
    host: HOST,
    port,
    user: credentials.user,
    password: credentials.password,
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  return client;
}

function isAuthError(error: Error): boolean {
  const code = errorCode(error);
  return code === '28P01' || code === '28000';
}

function credentialsMismatch(paths: Paths, error: Error): BillflowError {
  return new BillflowError(
    'embedded_postgres_credentials_mismatch',
    `the embedded Postgres in ${paths.pg} rejects the credentials in ${paths.credentials}: ${error.message}`,
  );
}
