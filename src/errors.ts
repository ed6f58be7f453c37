/**
 * Typed errors with stable codes (design convention 4). Expected per-customer failures are
 * values, not exceptions; a BillflowError is for bad input to a command or an API call, and for
 * infrastructure failures that a caller may retry.
 */
export interface ErrorDetail {
  /** Dotted path of the offending field, or `line N` for file input. */
  field: string;
  message: string;
}

export class BillflowError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly details: ErrorDetail[];

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number; retryable?: boolean; details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BillflowError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? 400;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? [];
  }

  toJSON(): { code: string; message: string; details: ErrorDetail[] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function invalidInput(field: string, message: string): BillflowError {
  return new BillflowError('invalid_input', `${field}: ${message}`, { details: [{ field, message }] });
}

/** For bugs: a broken invariant is never a user-facing error. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
