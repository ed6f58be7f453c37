/**
 * API keys: created by `billflow keys create`, shown once, stored as SHA-256 of the whole key.
 *
 * Why SHA-256 and not bcrypt/argon2: slow hashes protect low-entropy secrets (passwords) from
 * guessing after a database leak. These keys carry 256 random bits; no guessing works on them,
 * so a fast hash loses nothing, and it lets every request be checked with one index lookup
 * instead of a deliberately slow computation.
 */
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { BillflowError } from '../errors.ts';
import { parseInput } from '../customers/index.ts';
import { SCOPES, type Scope } from './route.ts';

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  /** Requests per window for this key; null = the server default. */
  rateLimit: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(100, { error: 'at most 100 characters' }),
  scopes: z
    .array(z.enum(SCOPES as [Scope, ...Scope[]], { error: `expected ${SCOPES.join(', ')}` }))
    .min(1, { error: 'at least one scope' })
    .transform((scopes) => [...new Set(scopes)]),
  rateLimit: z.int().min(1, { error: 'must be ≥ 1' }).max(10_000_000).nullable().default(null),
});
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;

const PREFIX = 'bf_';

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The same SHA-256, base64: the verifier's cache key (crypto.hash, one call, from Node 20.12). */
export function hashApiKeyBase64(key: string): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', key, 'base64') : createHash('sha256').update(key, 'utf8').digest('base64');
}

interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  rate_limit: number | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, scopes, rate_limit, created_at, last_used_at, revoked_at';

function rowToApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes, rateLimit: r.rate_limit, createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}

/** Creates a key; `key` is the only time the secret exists outside the caller's hands. */
export async function createApiKey(db: pg.Pool, input: CreateApiKeyInput): Promise<ApiKey & { key: string }> {
  const { name, scopes, rateLimit } = parseInput(createApiKeySchema, input);
  const id = randomBytes(6).toString('hex');
  const key = `${PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  const prefix = `${PREFIX}${id}`;
  const row = (await db.query<ApiKeyRow>(
    `insert into api_keys (name, prefix, key_hash, scopes, rate_limit) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [name, prefix, hashApiKey(key), scopes, rateLimit],
  )).rows[0]!;
  return { ...rowToApiKey(row), key };
}

export async function listApiKeys(db: pg.Pool): Promise<ApiKey[]> {
  return (await db.query<ApiKeyRow>(`select ${COLUMNS} from api_keys order by id`)).rows.map(rowToApiKey);
}

/** Revokes a key by id; revoking twice is harmless. Servers drop it from their cache at once. */
export async function revokeApiKey(db: pg.Pool, id: number): Promise<ApiKey> {
  const row = (await db.query<ApiKeyRow>(
    `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id],
  )).rows[0];
  if (row === undefined) throw new BillflowError('api_key_not_found', `no API key with id ${id}`, { httpStatus: 404, details: [{ field: 'id', message: 'not found' }] });
  return rowToApiKey(row);
}

/** The active key with this hash (hashApiKey), or null (unknown or revoked). */
export async function findActiveApiKey(db: pg.Pool, keyHash: Buffer): Promise<ApiKey | null> {
  const row = (await db.query<ApiKeyRow>(
    `select ${COLUMNS} from api_keys where key_hash = $1 and revoked_at is null`,
    [keyHash],
  )).rows[0];
  return row === undefined ? null : rowToApiKey(row);
}

export async function touchApiKey(db: pg.Pool, id: number): Promise<void> {
  await db.query('update api_keys set last_used_at = now() where id = $1', [id]);
}
