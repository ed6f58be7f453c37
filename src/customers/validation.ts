/**
 * Input validation shared by the domain write library (customers, catalog, subscriptions,
 * usage, loans, charges). Every input goes through a zod schema; any failure becomes ONE
 * BillflowError 'invalid_input' (400) whose details name each bad field by its path
 * ('items[0].quantity'), so the CLI and the HTTP API report all problems at once.
 *
 * The field schemas here are plain zod (no .transform) so that the API can turn them into
 * OpenAPI documents with z.toJSONSchema; normalisation uses zod's overwrite steps (trim,
 * toUpperCase), which keep the schema representable and are idempotent (parsing twice is safe).
 */
import { z } from 'zod';
import { isIsoDate } from '../billing/calendar.ts';
import { BillflowError, type ErrorDetail } from '../errors.ts';
import { isKnownCurrency } from '../money/currencies.ts';

/** At most this many details in one error: enough to fix a file, small enough to print. */
export const MAX_ERROR_DETAILS = 100;

type PathSegment = PropertyKey;

/** ['items', 0, 'quantity'] → 'items[0].quantity'; [] → 'input'. */
export function formatFieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? 'input' : out;
}

function isRequiredIssue(issue: z.core.$ZodIssue): boolean {
  return issue.message === 'required';
}

/** Flattens zod issues into {field, message} details, one per unknown key and per bad field. */
export function issueDetails(issues: readonly z.core.$ZodIssue[], basePath: readonly PathSegment[] = []): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string): void => {
    const key = `${field}\u0000${message}`;
    if (seen.has(key) || details.length >= MAX_ERROR_DETAILS) return;
    seen.add(key);
    details.push({ field, message });
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(formatFieldPath([...basePath, ...issue.path, key]), 'unknown field');
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.errors.every((e) => e.some(isRequiredIssue))) {
      add(formatFieldPath([...basePath, ...issue.path]), 'required');
    } else if (issue.code === 'invalid_key') {
      add(formatFieldPath([...basePath, ...issue.path]), issue.issues[0]?.message ?? issue.message);
    } else {
      add(formatFieldPath([...basePath, ...issue.path]), issue.message);
    }
  }
  return details;
}

/** A missing field says 'required' instead of "expected string, received undefined". */
const errorMap: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined;

export function invalidInputError(details: ErrorDetail[]): BillflowError {
  const first = details[0];
  const summary = first === undefined ? 'invalid input' : `${first.field}: ${first.message}`;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new BillflowError('invalid_input', `invalid input: ${summary}${more}`, { httpStatus: 400, details });
}

/**
 * Parses or throws invalid_input naming every bad field. `basePath` prefixes the field names
 * when the value is one part of a larger input (['customerId'], ['defaults']).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, basePath: readonly PathSegment[] = []): z.output<S> {
  const result = schema.safeParse(input, { error: errorMap });
  if (result.success) return result.data;
  throw invalidInputError(issueDetails(result.error.issues, basePath));
}

/** Like parseInput, but returns the details instead of throwing (bulk import, per row). */
export function checkInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; value: z.output<S> } | { ok: false; details: ErrorDetail[] } {
  const result = schema.safeParse(input, { error: errorMap });
  return result.success ? { ok: true, value: result.data } : { ok: false, details: issueDetails(result.error.issues) };
}

// ── field schemas shared across folders ────────────────────────────────────────────────

/** 'YYYY-MM-DD', a real calendar day (2026-02-30 is rejected). */
export const isoDateSchema = z.iso
  .date({ error: 'expected a calendar date YYYY-MM-DD' })
  .refine(isIsoDate, { error: 'expected a calendar date YYYY-MM-DD' });

/** An active ISO 4217 code ('inr' is read as 'INR'). */
export const currencyCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, { error: 'expected a 3-letter ISO 4217 currency code' })
  .refine(isKnownCurrency, { error: 'unknown currency (not an active ISO 4217 code)' });

/** Database ids of customers, subscriptions, loans, payments (bigint identity). */
export const recordIdSchema = z.int().min(1, { error: 'expected a positive integer id' });

/** Text ids chosen by the operator (products, plans, charges, coupons, metric codes). */
export const textIdSchema = z
  .string()
  .max(100, { error: 'at most 100 characters' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { error: 'expected letters, digits, and _ . : - (not starting with a symbol)' });

export function makeNameSchema(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `at most ${maxLength} characters` });
}

/** Integer minor units, ≥ 0 and within the safe-integer range. */
export const amountMinorSchema = z.int({ error: 'expected a whole number of minor units' }).min(0, { error: 'must be ≥ 0' });

/** A decimal percent string such as '18', '7.25' (0–100 inclusive, at most 4 decimals). */
export const percentStringSchema = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,4})?$/, { error: "expected a decimal percent string such as '7.25'" })
  .refine((s) => Number(s) <= 100, { error: 'must be between 0 and 100' });

/** Page size for list functions. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
export const pageLimitSchema = z.int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);
