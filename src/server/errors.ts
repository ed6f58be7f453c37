/**
 * Every error leaves as JSON {code, message, details[]} with a meaningful status. Client input
 * never yields a 500: typed BillflowErrors keep their status, Fastify's own errors (bad JSON,
 * body too large, unsupported media type, bad URL) keep theirs, and Postgres errors are sorted
 * by class — integrity violations (a race lost to a concurrent write) are 409, data exceptions
 * 400, unavailability 503. Only what is left, a bug, is a 500, logged with its stack.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BillflowError, type ErrorDetail } from '../errors.ts';
import type { Log } from '../log.ts';

export interface ErrorBody {
  code: string;
  message: string;
  details: ErrorDetail[];
}

interface Mapped {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const FASTIFY_CODES: Record<string, { code: string; status?: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', status: 415 },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported_media_type', status: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_ENCODING: { code: 'unsupported_content_encoding', status: 415 },
  FST_ERR_BAD_URL: { code: 'bad_url', status: 400 },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'bad_url', status: 414 },
};

interface PgLike {
  code?: unknown;
  constraint?: unknown;
  column?: unknown;
  detail?: unknown;
  severity?: unknown;
}

function isPgError(error: unknown): error is Error & PgLike {
  const e = error as PgLike;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

function fromPg(error: Error & PgLike): Mapped | null {
  const sqlState = error.code as string;
  const field = String(error.column ?? error.constraint ?? 'input');
  if (sqlState.startsWith('23')) {
    const message = typeof error.detail === 'string' ? error.detail : 'conflicts with existing data';
    return { status: 409, body: { code: 'conflict', message: `${field}: ${message}`, details: [{ field, message }] } };
  }
  if (sqlState.startsWith('22')) {
    return { status: 400, body: { code: 'invalid_input', message: `invalid input: ${error.message}`, details: [{ field, message: error.message }] } };
  }
  if (sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03' || sqlState === '57014' || sqlState.startsWith('08') || sqlState === '53300') {
    return {
      status: 503,
      body: { code: 'busy', message: 'the database is busy or unreachable; retry shortly', details: [] },
      headers: { 'retry-after': '1' },
    };
  }
  return null;
}

export function mapError(error: unknown): Mapped {
  if (error instanceof BillflowError) {
    const headers = error.httpStatus === 503 ? { 'retry-after': '1' } : undefined;
    return { status: error.httpStatus, body: error.toJSON(), ...(headers ? { headers } : {}) };
  }
  if (isPgError(error)) {
    const mapped = fromPg(error);
    if (mapped) return mapped;
  }
  const fastifyError = error as FastifyError;
  const known = typeof fastifyError?.code === 'string' ? FASTIFY_CODES[fastifyError.code] : undefined;
  const status = known?.status ?? fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = known?.code ?? (status === 404 ? 'not_found' : 'bad_request');
    const message = code === 'invalid_json' ? 'the body is not valid JSON'
      : code === 'payload_too_large' ? 'the body is larger than this endpoint accepts (api.bodyLimitBytes)'
      : fastifyError.message;
    const field = code === 'payload_too_large' || code === 'invalid_json' ? 'body' : code === 'unsupported_media_type' ? 'content-type' : 'request';
    return { status, body: { code, message, details: [{ field, message }] } };
  }
  if (error instanceof Error && /timeout exceeded when trying to connect|Connection terminated/.test(error.message)) {
    return { status: 503, body: { code: 'busy', message: 'the database is busy or unreachable; retry shortly', details: [] }, headers: { 'retry-after': '1' } };
  }
  return { status: 500, body: { code: 'internal_error', message: 'internal error', details: [] } };
}

export function errorHandler(log: Log) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const mapped = mapError(error);
    if (mapped.status >= 500) {
      mapped.body.message = `${mapped.body.message} (request ${request.id})`;
      if (mapped.status === 500) log.error(`${request.method} ${request.url} [${request.id}]: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    for (const [name, value] of Object.entries(mapped.headers ?? {})) void reply.header(name, value);
    if (mapped.status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.code(mapped.status).type('application/json; charset=utf-8').send(JSON.stringify(mapped.body));
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const message = `no route ${request.method} ${request.url.split('?')[0]}`;
  void reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify({ code: 'route_not_found', message, details: [{ field: 'url', message }] }));
}

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (a Content-Length that does not
 * match the body, broken chunking, headers over the size limit, a request timeout) still get the
 * JSON error shape, then the connection closes: its framing can no longer be trusted.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request';
  const message = status === 431 ? 'the request headers are too large'
    : status === 408 ? 'the request was not received in time'
    : `malformed HTTP request (${error.code ?? 'parse error'})`;
  const body = JSON.stringify({ code, message, details: [{ field: 'request', message }] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
