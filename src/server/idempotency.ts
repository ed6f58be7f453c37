/**
 * Idempotency-Key on every POST, with Stripe's semantics:
 * - the first request with a key runs; its response (status, content type, body bytes) is kept
 *   for 24 hours and a repeat with the same key and the same request is answered with it, byte
 *   for byte, with `Idempotent-Replayed: true`;
 * - the same key with a different request (method, path or body bytes) → 409
 *   idempotency_key_reused; while the first is still running → 409 idempotency_key_in_use;
 * - keys are scoped per API key; a response is not kept when the request failed validation (400),
 *   was refused before it ran (413, 415, 429) or failed on our side (5xx): the key is released,
 *   and the client may retry with it.
 * The claim is one INSERT … ON CONFLICT, so of two concurrent requests exactly one runs.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { BillflowError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** SHA-256 of the raw body bytes, set by the body parser (null until then or without a body). */
    bodyHash: Buffer | null;
    idempotency: IdempotencyClaim | null;
  }
}

export const IDEMPOTENCY_TTL_HOURS = 24;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
const EMPTY_HASH = createHash('sha256').digest();

interface IdempotencyClaim {
  apiKeyId: number;
  key: string;
  /** Streamed bodies are hashed while the handler reads them: the fingerprint is written at the end. */
  deferred: boolean;
}

interface StoredRow {
  fingerprint: Buffer;
  state: 'in_progress' | 'done';
  status_code: number | null;
  content_type: string | null;
  response_body: string | null;
}

export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] ?? '' : raw;
  if (!/^[\x21-\x7e]{1,128}$/.test(key)) {
    const message = `expected 1–${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (a UUID is a good key)`;
    throw new BillflowError('invalid_input', `Idempotency-Key: ${message}`, { details: [{ field: 'Idempotency-Key', message }] });
  }
  return key;
}

export function fingerprintOf(request: FastifyRequest, bodyHash: Buffer | null): Buffer {
  return createHash('sha256').update(`${request.method} ${request.url}\n`).update(bodyHash ?? EMPTY_HASH).digest();
}

const CLAIM_SQL = `
  insert into idempotency_keys as k (api_key_id, key, fingerprint) values ($1, $2, $3)
  on conflict (api_key_id, key) do update
    set fingerprint = excluded.fingerprint, state = 'in_progress', status_code = null, content_type = null,
        response_body = null, created_at = now()
    where k.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
       or (k.state = 'in_progress' and k.created_at < now() - make_interval(secs => $4::double precision / 1000))
  returning 1`;

async function claim(db: pg.Pool, apiKeyId: number, key: string, fingerprint: Buffer, lockMs: number): Promise<StoredRow | null> {
  // A row deleted between the two statements (its request failed) is simply claimed again.
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await db.query(CLAIM_SQL, [apiKeyId, key, fingerprint, lockMs])).rowCount === 1) return null;
    const row = (await db.query<StoredRow>(
      'select fingerprint, state, status_code, content_type, response_body from idempotency_keys where api_key_id = $1 and key = $2',
      [apiKeyId, key],
    )).rows[0];
    if (row !== undefined) return row;
  }
  throw new BillflowError('idempotency_key_in_use', 'Idempotency-Key: busy; retry', { httpStatus: 409, details: [{ field: 'Idempotency-Key', message: 'busy' }] });
}

function inUse(): BillflowError {
  const message = 'a request with this key is still in progress; retry after it finishes';
  return new BillflowError('idempotency_key_in_use', `Idempotency-Key: ${message}`, { httpStatus: 409, retryable: true, details: [{ field: 'Idempotency-Key', message }] });
}

function reused(): BillflowError {
  const message = 'this key was already used for a different request (method, path or body)';
  return new BillflowError('idempotency_key_reused', `Idempotency-Key: ${message}`, { httpStatus: 409, details: [{ field: 'Idempotency-Key', message }] });
}

/** Answers with the stored response, or refuses; the caller returns `reply`. */
function answerFromRow(row: StoredRow, fingerprint: Buffer, reply: FastifyReply): FastifyReply {
  if (row.state === 'in_progress') {
    void reply.header('retry-after', '1');
    throw inUse();
  }
  if (!row.fingerprint.equals(fingerprint)) throw reused();
  void reply.code(row.status_code ?? 200).header('idempotent-replayed', 'true');
  if (row.content_type) void reply.header('content-type', row.content_type);
  return reply.send(row.response_body ?? '');
}

export interface IdempotencyHooks {
  /** preHandler for JSON POSTs: claim the key or answer from it. */
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  /** For streamed bodies (import): claim before reading; the handler verifies a repeat after. */
  claimDeferred(request: FastifyRequest, reply: FastifyReply): Promise<StoredRow | null>;
  /** After a deferred repeat's body was read: replay or refuse. */
  answerDeferred(row: StoredRow, request: FastifyRequest, reply: FastifyReply): FastifyReply;
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
  /** Deletes keys older than 24 hours (a few thousand at a time); returns how many. */
  purge(): Promise<number>;
}

/**
 * `claimDb` may commit asynchronously (src/db/async-commit.ts): a claim lost in a crash is harmless (its
 * request had not answered), and the synchronous commit that stores the response flushes it.
 */
export function idempotencyHooks(db: pg.Pool, lockMs: number, claimDb: pg.Pool = db): IdempotencyHooks {
  return {
    async preHandler(request, reply) {
      const key = idempotencyKeyOf(request);
      if (key === null || request.apiKey === null) return undefined;
      const fingerprint = fingerprintOf(request, request.bodyHash);
      const row = await claim(claimDb, request.apiKey.id, key, fingerprint, lockMs);
      if (row === null) {
        request.idempotency = { apiKeyId: request.apiKey.id, key, deferred: false };
        return undefined;
      }
      return answerFromRow(row, fingerprint, reply);
    },
    async claimDeferred(request) {
      const key = idempotencyKeyOf(request);
      if (key === null || request.apiKey === null) return null;
      const row = await claim(claimDb, request.apiKey.id, key, Buffer.alloc(0), lockMs);
      if (row === null) request.idempotency = { apiKeyId: request.apiKey.id, key, deferred: true };
      else if (row.state === 'in_progress') throw inUse();
      return row;
    },
    answerDeferred(row, request, reply) {
      return answerFromRow(row, fingerprintOf(request, request.bodyHash), reply);
    },
    async onSend(request, reply, payload) {
      const claimed = request.idempotency;
      if (claimed === null) return payload;
      request.idempotency = null;
      const status = reply.statusCode;
      const keep = typeof payload === 'string' && status < 500 && ![400, 413, 415, 429].includes(status);
      if (!keep) {
        await db.query('delete from idempotency_keys where api_key_id = $1 and key = $2', [claimed.apiKeyId, claimed.key]);
        return payload;
      }
      const fingerprint = claimed.deferred ? fingerprintOf(request, request.bodyHash) : null;
      const contentType = reply.getHeader('content-type');
      await db.query(
        `update idempotency_keys set state = 'done', status_code = $3, content_type = $4, response_body = $5,
           fingerprint = coalesce($6, fingerprint) where api_key_id = $1 and key = $2`,
        [claimed.apiKeyId, claimed.key, status, typeof contentType === 'string' ? contentType : null, payload, fingerprint],
      );
      return payload;
    },
    async purge() {
      const result = await db.query(
        `delete from idempotency_keys where ctid = any(array(select ctid from idempotency_keys
           where created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS}) limit 5000))`,
      );
      return result.rowCount ?? 0;
    },
  };
}
