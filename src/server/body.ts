/**
 * Request bodies. Only JSON is accepted (and NDJSON/CSV on the import route, streamed): anything
 * else is 415. The JSON parser keeps the SHA-256 of the raw bytes (Idempotency-Key compares
 * bodies byte for byte), refuses bodies over api.bodyLimitBytes (413), malformed JSON, JSON
 * with __proto__/constructor keys, and nesting deeper than MAX_JSON_DEPTH (a deep array would
 * otherwise exhaust the stack of a recursive validator).
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BillflowError } from '../errors.ts';

export const MAX_JSON_DEPTH = 32;

function invalidJson(message: string): BillflowError {
  return new BillflowError('invalid_json', `the body is not valid JSON: ${message}`, { details: [{ field: 'body', message }] });
}

/** Depth of [ and { outside strings; stops early once over the limit. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

export function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.bodyHash = createHash('sha256').update(bytes).digest();
    if (bytes.length === 0) {
      done(null, undefined);
      return;
    }
    const text = bytes.toString('utf8');
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(invalidJson(`nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    // Fastify's JSON parser reports through the callback; its return value carries nothing.
    void parse(request, text, (error, value) => {
      if (error) done(invalidJson('malformed, or a __proto__/constructor key'), undefined);
      else done(null, value);
    });
  });
}

/** Counts and hashes a streamed body; past `limitBytes` it fails with 413. */
class MeteredBody extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly request: FastifyRequest, private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limitBytes) {
      callback(new BillflowError('payload_too_large', `the body is larger than ${this.limitBytes} bytes`, {
        httpStatus: 413, details: [{ field: 'body', message: `at most ${this.limitBytes} bytes per request; split the file` }],
      }));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.request.bodyHash = this.hash.digest();
    callback();
  }
}

export const STREAM_CONTENT_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/csv'] as const;

/** For the import route's plugin scope: the body is handed to the handler as a metered stream. */
export function installStreamParsers(app: FastifyInstance, limitBytes: number): void {
  app.addContentTypeParser([...STREAM_CONTENT_TYPES], (request, payload, done) => {
    const metered = new MeteredBody(request, limitBytes);
    // The error may come before the handler reads: keep it on the stream (the reader's
    // `for await` rethrows it) instead of letting an unheard 'error' event crash the process.
    metered.on('error', () => undefined);
    payload.on('error', (error) => metered.destroy(error));
    done(null, payload.pipe(metered));
  });
}

export function mediaTypeOf(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
