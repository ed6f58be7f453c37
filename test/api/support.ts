/**
 * API test support: a fresh migrated database, the app listening on 127.0.0.1:0 (real HTTP),
 * API keys of each scope, and a small fetch wrapper. Also row counts of every table, to prove
 * that a refused request wrote nothing.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { configSchema, type Config } from '../../src/config/index.ts';
import { silentLog } from '../../src/log.ts';
import { buildApp } from '../../src/server/app.ts';
import { createApiKey } from '../../src/server/api-keys.ts';
import type { Scope } from '../../src/server/route.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

export const fixedClock = { now: () => new Date('2026-11-22T10:00:00Z') };

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestApi {
  db: TestDatabase;
  config: Config;
  app: FastifyInstance;
  url: string;
  keys: Record<'read' | 'write' | 'admin' | 'all', string>;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startTestApi(overrides: { api?: Partial<Config['api']>; dataDir?: string } = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  const base = configSchema.parse({});
  const config: Config = { ...base, api: { ...base.api, ...overrides.api }, ...(overrides.dataDir ? { dataDir: overrides.dataDir } : {}) };
  const app = await buildApp({ pool: db.pool, config, log: silentLog, clock: fixedClock }, { connectionString: db.url });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const make = async (name: string, scopes: Scope[]) => (await createApiKey(db.pool, { name, scopes })).key;
  const keys = {
    read: await make('reader', ['read']),
    write: await make('writer', ['write']),
    admin: await make('admin', ['admin']),
    all: await make('all', ['read', 'write', 'admin']),
  };
  return {
    db, config, app, url, keys,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? keys.all : options.key;
      if (key !== null) headers.authorization ??= `Bearer ${key}`;
      let body: string | Buffer | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** Row counts of every table in the public schema (and graphile_worker's jobs). */
export async function allRowCounts(db: pg.Pool): Promise<Record<string, number>> {
  const tables = (await db.query<{ name: string }>(
    `select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables
     where schemaname = 'public' or (schemaname = 'graphile_worker' and tablename = '_private_jobs') order by 1`,
  )).rows.map((r) => r.name);
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
  return out;
}

/** A customer in India (Karnataka: IGST from the Maharashtra entity) through the API. */
export async function createCustomerViaApi(api: TestApi, email: string, extra: Record<string, unknown> = {}): Promise<number> {
  const response = await api.request('POST', '/api/v1/customers', {
    body: { name: 'Test Customer', email, currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in', ...extra },
  });
  if (response.status !== 201) throw new Error(`create customer: ${response.status} ${response.text}`);
  return response.json.id as number;
}
