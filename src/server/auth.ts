/**
 * Authentication and scopes. A key comes as `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
 * Verified keys are kept in memory for api.keyCacheMs so that a read costs no extra query; a
 * change to any key (revoke, scopes) NOTIFYs 'billflow_api_keys' (trigger in 0003_api.sql) and
 * every server drops its cache at once, so a revoked key stops working immediately.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
import { BillflowError } from '../errors.ts';
import type { Log } from '../log.ts';
import { findActiveApiKey, hashApiKeyBase64, touchApiKey, type ApiKey } from './api-keys.ts';
import type { Scope } from './route.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
}

const MAX_CACHED_KEYS = 10_000;
const TOUCH_EVERY_MS = 60_000;
const MAX_KEY_LENGTH = 200;

export interface KeyVerifier {
  authenticate(scope: Scope): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Forget every cached key (also done on NOTIFY). */
  clear(): void;
  close(): Promise<void>;
}

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw unauthenticated('the Authorization header must be "Bearer <API key>"');
    return match[1]!;
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  return null;
}

function unauthenticated(message: string): BillflowError {
  return new BillflowError('unauthenticated', message, { httpStatus: 401, details: [{ field: 'authorization', message }] });
}

export function createKeyVerifier(options: { pool: pg.Pool; connectionString?: string; cacheMs: number; log: Log }): KeyVerifier {
  const cache = new Map<string, { key: ApiKey; until: number }>();
  const touched = new Map<number, number>();
  let listener: pg.Client | null = null;
  let closed = false;

  async function listen(): Promise<void> {
    if (!options.connectionString || options.cacheMs === 0 || closed) return;
    const client = new pg.Client({ connectionString: options.connectionString, application_name: 'billflow-api-keys' });
    client.on('error', (error) => {
      // Without notifications the cache must not outlive a revocation: stop caching, retry later.
      options.log.warn(`api key listener: ${error.message}`);
      cache.clear();
      listener = null;
      if (!closed) setTimeout(() => void listen().catch(() => undefined), 5_000).unref();
    });
    client.on('notification', () => cache.clear());
    await client.connect();
    await client.query('listen billflow_api_keys');
    if (closed) await client.end();
    else listener = client;
  }
  const listening = listen().catch((error: Error) => options.log.warn(`api key listener: ${error.message}`));

  async function verify(secret: string): Promise<ApiKey> {
    if (secret.length > MAX_KEY_LENGTH) throw unauthenticated('unknown or revoked API key');
    // Cached by hash: plain secrets are not kept in memory longer than a request. One-shot
    // hash() costs half of createHash().update().digest() on this hot path (every request).
    const cacheKey = hashApiKeyBase64(secret);
    const now = Date.now();
    const hit = cache.get(cacheKey);
    if (hit !== undefined && hit.until > now && listener !== null) return hit.key;
    const key = await findActiveApiKey(options.pool, Buffer.from(cacheKey, 'base64'));
    if (key === null) throw unauthenticated('unknown or revoked API key');
    if (options.cacheMs > 0) {
      if (cache.size >= MAX_CACHED_KEYS) cache.clear();
      cache.set(cacheKey, { key, until: now + options.cacheMs });
    }
    return key;
  }

  function noteUse(key: ApiKey): void {
    const now = Date.now();
    if ((touched.get(key.id) ?? 0) + TOUCH_EVERY_MS > now) return;
    touched.set(key.id, now);
    touchApiKey(options.pool, key.id).catch((error: Error) => options.log.warn(`api key ${key.id} last_used_at: ${error.message}`));
  }

  return {
    authenticate(scope) {
      return async (request) => {
        const secret = presentedKey(request);
        if (secret === null) throw unauthenticated('an API key is required: Authorization: Bearer <key> or X-Api-Key: <key>');
        const key = await verify(secret);
        if (!key.scopes.includes(scope)) {
          const message = `this API key lacks the '${scope}' scope (it has: ${key.scopes.join(', ')})`;
          throw new BillflowError('forbidden', message, { httpStatus: 403, details: [{ field: 'scope', message }] });
        }
        request.apiKey = key;
        noteUse(key);
      };
    },
    clear: () => cache.clear(),
    async close() {
      closed = true;
      await listening;
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
}
