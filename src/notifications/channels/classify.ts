import { DeliveryFailure } from './types.ts';

/** Network and timeout error codes: the receiver may be fine a moment later. */
const TRANSIENT_CODES = new Set([
  'ETIMEDOUT', 'ECONNECTION', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ESOCKET', 'EDNS', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'EPROTOCOL', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'TimeoutError', 'AbortError',
]);

/**
 * An SMTP failure (nodemailer's error: responseCode, code): 5xx permanent, 4xx transient,
 * connection problems and timeouts transient, a rejected envelope without a code permanent.
 */
export function classifySmtpError(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const e = error as { responseCode?: number; code?: string; message?: string; response?: string };
  const message = `SMTP: ${e.response ?? e.message ?? String(error)}`.slice(0, 1000);
  if (typeof e.responseCode === 'number') {
    return new DeliveryFailure(e.responseCode >= 500 ? 'permanent' : 'transient', message, { cause: error });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new DeliveryFailure('permanent', message, { cause: error });
  return new DeliveryFailure('transient', message, { cause: error });
}

/** Retry-After: seconds or an HTTP date. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** An HTTP provider's answer: 408, 429 and 5xx transient, other 4xx permanent. */
export function classifyHttpStatus(provider: string, status: number, body: string, retryAfter: number | null): DeliveryFailure {
  const transient = status === 408 || status === 429 || status >= 500;
  return new DeliveryFailure(transient ? 'transient' : 'permanent', `${provider} HTTP ${status}: ${body.slice(0, 500)}`, { retryAfterMs: retryAfter });
}

/** A fetch that threw (DNS, refused, reset, timed out): transient. */
export function classifyNetworkError(provider: string, error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const e = error as { name?: string; code?: string; cause?: { code?: string }; message?: string };
  const code = e.cause?.code ?? e.code ?? e.name ?? 'error';
  const known = TRANSIENT_CODES.has(code) || e.name === 'TimeoutError' || e.name === 'AbortError' || e.name === 'TypeError';
  return new DeliveryFailure('transient', `${provider}: ${known ? code : 'network error'}: ${e.message ?? String(error)}`.slice(0, 1000), { cause: error });
}
