/**
 * Request bodies. Only JSON is accepted (and NDJSON/CSV on the import route, streamed): anything
 * else is 415. The JSON parser keeps the SHA-256 of the raw bytes (Idempotency-Key compares
 * bodies byte for byte), refuses bodies over api.bodyLimitBytes (413), malformed JSON, JSON
 * with __proto__/constructor keys, and nesting deeper than MAX_JSON_DEPTH (a deep array would
 * otherwise exhaust the stack of a recursive validator). Text must be what it claims: bytes that
 * are not UTF-8, a charset other than UTF-8, a Content-Encoding (gzip…) the server does not
 * decode, and strings with unpaired surrogates (\ud800 escapes: not Unicode, and silently
 * replaced if stored) are refused rather than altered.
 */
import { isUtf8 } from 'node:buffer';
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

/** 415 for a body the server would have to decode (gzip…) or transcode (a charset other than UTF-8). */
export function unsupportedEncoding(request: FastifyRequest): BillflowError | null {
  const encoding = String(request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    const message = `Content-Encoding '${encoding.slice(0, 40)}' is not supported: send the body uncompressed`;
    return new BillflowError('unsupported_content_encoding', message, { httpStatus: 415, details: [{ field: 'content-encoding', message }] });
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(String(request.headers['content-type'] ?? ''))?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    const message = `charset '${charset.slice(0, 40)}' is not supported: bodies are UTF-8`;
    return new BillflowError('unsupported_media_type', message, { httpStatus: 415, details: [{ field: 'content-type', message }] });
  }
  return null;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

/** The path of the first string (value or key) holding an unpaired surrogate, or null. */
export function illFormedStringPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return wellFormed(value) ? null : path || 'body';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = illFormedStringPath(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (!wellFormed(key)) return at;
      const found = illFormedStringPath(v, at);
      if (found !== null) return found;
    }
  }
  return null;
}

export function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    // Only an Idempotency-Key compares bodies: the others skip the hash.
    if (request.headers['idempotency-key'] !== undefined) request.bodyHash = createHash('sha256').update(bytes).digest();
    const refused = unsupportedEncoding(request);
    if (refused) {
      done(refused, undefined);
      return;
    }
    if (bytes.length === 0) {
      done(null, undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      done(invalidJson('not UTF-8 text'), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(invalidJson(`nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    // Fastify's JSON parser reports through the callback; its return value carries nothing.
    void parse(request, text, (error, value) => {
      if (error) {
        done(invalidJson('malformed, or a __proto__/constructor key'), undefined);
        return;
      }
      const path = SURROGATE_ESCAPE.test(text) ? illFormedStringPath(value) : null;
      if (path === null) done(null, value);
      else done(new BillflowError('invalid_input', `${path}: not valid Unicode (an unpaired \\u surrogate escape)`, { details: [{ field: path, message: 'not valid Unicode (an unpaired \\u surrogate escape)' }] }), undefined);
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
    const refused = unsupportedEncoding(request);
    if (refused) {
      done(refused, undefined);
      return;
    }
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
