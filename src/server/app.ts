/**
 * The Fastify application: body parsing, errors, auth → rate limit → idempotency → handler for
 * every route of routes/, and the documentation at /api/docs. Built the same way for
 * `billflow serve`, the tests (listen on port 0 or inject) and the benchmark.
 *
 * Per request: onRequest authenticates (401/403) · preParsing applies the key's rate limit
 * (429) before the body is read · the body parser hashes and parses JSON · preHandler claims the
 * Idempotency-Key of a POST · the handler validates with the route's zod schemas and calls the
 * library · onSend stores the response under the Idempotency-Key.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { BillflowError } from '../errors.ts';
import { createKeyVerifier } from './auth.ts';
import { createAsyncCommitPool } from '../db/async-commit.ts';
import { createAdHocInvoiceBatcher } from '../billing/index.ts';
import { createInvoiceLoader } from '../invoices/index.ts';
import { installJsonParser, installStreamParsers } from './body.ts';
import { registerDocs } from './docs.ts';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errors.ts';
import { idempotencyHooks, type IdempotencyHooks } from './idempotency.ts';
import { routeInput } from './input.ts';
import type { AnyRoute, ServerDeps } from './route.ts';
import { allRoutes } from './routes/index.ts';
import { dashboardHtml } from '../web/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: IdempotencyHooks;
  }
}

export interface AppOptions {
  /** For LISTEN/NOTIFY on API key changes; without it verified keys are not cached. */
  connectionString?: string;
  /** Serve /api/docs (default true). */
  docs?: boolean;
}

const PURGE_EVERY_MS = 10 * 60_000;

function addRoute(scope: FastifyInstance, deps: ServerDeps, route: AnyRoute, auth: ReturnType<typeof createKeyVerifier>): void {
  const isPost = route.method === 'POST';
  scope.route({
    method: route.method,
    url: route.url,
    onRequest: route.scope ? [auth.authenticate(route.scope)] : [],
    preHandler: isPost && !route.streamBody ? [scope.idempotency.preHandler] : [],
    onSend: isPost ? [scope.idempotency.onSend] : [],
    config: route.scope ? { rateLimit: {} } : { rateLimit: false },
    handler: async (request, reply) => {
      void reply.code(route.status);
      const input = routeInput(route, request);
      return route.handler(deps, input, request, reply);
    },
  });
}

export async function buildApp(baseDeps: ServerDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const { api } = baseDeps.config;
  const asyncCommitPool = options.connectionString && !baseDeps.asyncCommitPool ? createAsyncCommitPool(options.connectionString, 10) : null;
  const writePool = asyncCommitPool ?? baseDeps.asyncCommitPool ?? null;
  const genBill = createAdHocInvoiceBatcher({ db: writePool ?? baseDeps.pool, flushPool: writePool ? baseDeps.pool : null, netTermsDays: baseDeps.config.billing.netTermsDays });
  const invoiceLoader = createInvoiceLoader(baseDeps.pool, { maxInFlight: api.readBatchesInFlight });
  const deps: ServerDeps = { ...baseDeps, ...(writePool ? { asyncCommitPool: writePool } : {}), genBill, invoiceLoader };
  const onError = errorHandler(deps.log);
  const app = Fastify({
    logger: false,
    bodyLimit: api.bodyLimitBytes,
    return503OnClosing: true,
    clientErrorHandler,
    routerOptions: { maxParamLength: 200 },
    // Errors the router meets before any route (a bad %-escape, an overlong path parameter).
    frameworkErrors: (error, request, reply) => onError(error, request, reply),
  });
  app.decorateRequest('apiKey', null);
  app.decorateRequest('bodyHash', null);
  app.decorateRequest('idempotency', null);
  app.decorate('idempotency', idempotencyHooks(deps.pool, api.idempotencyLockMs, writePool ?? deps.pool));
  installJsonParser(app);
  app.setErrorHandler(onError);
  app.setNotFoundHandler(notFoundHandler);

  const auth = createKeyVerifier({ pool: deps.pool, cacheMs: api.keyCacheMs, log: deps.log, ...(options.connectionString ? { connectionString: options.connectionString } : {}) });
  await app.register(rateLimit, {
    global: false,
    hook: 'preParsing',
    max: (request) => request.apiKey?.rateLimit ?? api.rateLimit.max,
    timeWindow: api.rateLimit.windowMs,
    keyGenerator: (request) => `key:${request.apiKey?.id ?? request.ip}`,
    errorResponseBuilder: (_request, context) => {
      const message = `at most ${context.max} requests per ${Math.round(api.rateLimit.windowMs / 1000)} s for this API key; retry in ${context.after}`;
      return new BillflowError('rate_limited', message, { httpStatus: 429, retryable: true, details: [{ field: 'authorization', message }] });
    },
  });

  const routes = allRoutes();
  for (const route of routes.filter((r) => !r.streamBody)) addRoute(app, deps, route, auth);
  // Streamed bodies get their own plugin scope: only these routes accept NDJSON and CSV.
  await app.register(async (scope) => {
    installStreamParsers(scope, api.importLimitBytes);
    for (const route of routes.filter((r) => r.streamBody)) addRoute(scope, deps, route, auth);
  });
  if (options.docs !== false) await registerDocs(app, routes);
  // The dashboard page holds no data: it asks /api/v1/overview with the key it is given.
  app.get('/dashboard', { config: { rateLimit: false } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(dashboardHtml()));
  app.get('/', { config: { rateLimit: false } }, async (_request, reply) => reply.redirect('/dashboard'));

  const purge = setInterval(() => {
    app.idempotency.purge().catch((error: Error) => deps.log.warn(`idempotency purge: ${error.message}`));
  }, PURGE_EVERY_MS);
  purge.unref();
  app.addHook('onClose', async () => {
    clearInterval(purge);
    await auth.close();
    await asyncCommitPool?.end();
  });
  return app;
}
