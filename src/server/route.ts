/**
 * A route is data: method, URL, scope, the zod schemas of its path, query and body, and a
 * handler. The app registers routes from these definitions and the OpenAPI document is built
 * from the very same schemas (openapi.ts), so what is validated is what is documented.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { Config } from '../config/index.ts';
import type { Clock } from '../customers/index.ts';
import type { Log } from '../log.ts';
import type { AdHocInvoiceBatcher } from '../billing/index.ts';
import type { InvoiceLoader } from '../invoices/index.ts';

export type Scope = 'read' | 'write' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

export interface ServerDeps {
  pool: pg.Pool;
  config: Config;
  log: Log;
  /** Decides "today" for invoices and charges; the system clock when omitted. */
  clock?: Clock;
  /** Sessions with synchronous_commit off, for genBill (src/db/async-commit.ts); the main pool when absent. */
  asyncCommitPool?: pg.Pool;
  /** Issues genBill invoices in batches (set by buildApp). */
  genBill?: AdHocInvoiceBatcher;
  /** Reads invoices by id, concurrent reads coalesced into one query (set by buildApp). */
  invoiceLoader?: InvoiceLoader;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface DocResponse {
  description: string;
  schema?: z.ZodType;
  /** A non-JSON body (e.g. 'application/pdf'), documented as binary of this media type. */
  binary?: string;
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'PATCH';
  /** Fastify syntax: '/api/v1/customers/:customerId'. */
  url: string;
  /** null: public (health, readiness). */
  scope: Scope | null;
  tag: string;
  operationId: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body is not JSON but a stream the handler reads (bulk import): these content types,
   * documented with these schemas. `body` must then be absent.
   */
  streamBody?: Record<string, { schema: Record<string, unknown>; example?: string }>;
  /** Success status (the handler may still set another with reply.code). */
  status: number;
  response: DocResponse;
  /** Other documented success answers, e.g. 200 for an idempotent repeat of a 201. */
  alsoResponds?: Record<number, DocResponse>;
  /** Error statuses this route answers beyond the common ones (400, 401, 403, 413, 429, 500). */
  errors?: number[];
  /** Example request body for the documentation. */
  example?: unknown;
  handler(
    deps: ServerDeps,
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any>;

// Only its type is used (the default of the schema type parameters).
// eslint-disable-next-line @typescript-eslint/no-unused-vars
const none = z.undefined();

/** Typed definition; absent schemas are `undefined` inputs. */
export function defineRoute<
  P extends z.ZodType = typeof none,
  Q extends z.ZodType = typeof none,
  B extends z.ZodType = typeof none,
>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as AnyRoute;
}

/** '/api/v1/customers/:customerId' → '/api/v1/customers/{customerId}'. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
