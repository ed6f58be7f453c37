/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas with z.toJSONSchema
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Named schemas (.meta({id})) become
 * components; `npm run openapi` writes the result to docs/openapi.json and a test fails when
 * that file is stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IDEMPOTENCY_TTL_HOURS } from './idempotency.ts';
import { openApiPath, type AnyRoute, type DocResponse } from './route.ts';
import { allRoutes } from './routes/index.ts';
import { errorSchema } from './schemas.ts';

type Json = Record<string, unknown>;

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `details` names every bad field',
  401: 'Missing, unknown or revoked API key',
  403: 'The API key lacks the scope this endpoint needs',
  404: 'Not found: `details` names the id that matched nothing',
  409: 'Conflict: duplicate, wrong state, or an Idempotency-Key reused for another request / still in progress',
  413: 'The body is larger than the limit',
  415: 'Unsupported Content-Type',
  422: 'Valid input, but the invoice cannot be issued (e.g. the customer has no tax region)',
  429: 'Rate limit of this API key reached; see Retry-After',
  503: 'Not ready, or the database is unavailable; retry',
};

/** Converts a schema; its named sub-schemas are moved into `components` and referenced. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  // zod names anonymous recursive schemas __schema0, __schema1… per conversion: give them stable names.
  const names = new Map(Object.keys(defs).map((name) => [name, name.startsWith('__schema') ? anonymousName(defs[name]!) : name]));
  for (const [name, def] of Object.entries(defs)) components[names.get(name)!] ??= rewriteRefs(def, names);
  const id = out.id;
  if (typeof id === 'string') {
    delete out.id;
    components[id] ??= rewriteRefs(out, names);
    return { $ref: `#/components/schemas/${id}` };
  }
  return rewriteRefs(out, names) as Json;
}

/** z.json() (free-form metadata) is the only recursive anonymous schema; anything else gets a content hash. */
function anonymousName(def: Json): string {
  const kinds = ((def.anyOf ?? []) as Json[]).map((d) => d.type).join(',');
  if (kinds === 'string,number,boolean,null,array,object') return 'JsonValue';
  return `Schema${createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 8)}`;
}

function rewriteRefs(value: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      const name = v.slice('#/$defs/'.length);
      out[k] = `#/components/schemas/${names.get(name) ?? name}`;
    } else if (k === 'id' && typeof v === 'string') continue;
    else out[k] = rewriteRefs(v, names);
  }
  return out;
}

function parameters(route: AnyRoute, components: Json): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = jsonSchema(schema, 'input', components);
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries((json.properties ?? {}) as Record<string, Json>)) {
      const { description, ...rest } = property;
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  if (route.method === 'POST') {
    out.push({
      name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 128 },
      description: `Makes a retry safe: the same key and request within ${IDEMPOTENCY_TTL_HOURS} h returns the first response (header Idempotent-Replayed: true); the same key with another request is 409.`,
    });
  }
  return out;
}

function response(doc: DocResponse, components: Json): Json {
  if (doc.binary) return { description: doc.description, content: { [doc.binary]: { schema: { type: 'string', contentMediaType: doc.binary } } } };
  return { description: doc.description, ...(doc.schema ? { content: { 'application/json': { schema: jsonSchema(doc.schema, 'output', components) } } } : {}) };
}

function operation(route: AnyRoute, components: Json): Json {
  const responses: Json = { [route.status]: response(route.response, components) };
  for (const [status, doc] of Object.entries(route.alsoResponds ?? {})) responses[status] = response(doc, components);
  const errors = new Set<number>(route.errors ?? []);
  if (route.params || route.query || route.body || route.streamBody || route.method === 'POST') errors.add(400);
  if (route.scope) [401, 403, 429].forEach((s) => errors.add(s));
  if (route.body || route.streamBody) [413, 415].forEach((s) => errors.add(s));
  if (route.method === 'POST') errors.add(409);
  for (const status of [...errors].sort()) responses[status] = { $ref: `#/components/responses/E${status}` };
  let requestBody: Json | undefined;
  if (route.body) {
    requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input', components), ...(route.example ? { example: route.example } : {}) } } };
  } else if (route.streamBody) {
    requestBody = { required: true, content: route.streamBody };
  }
  const scopeNote = route.scope ? `\n\nScope: \`${route.scope}\`.` : '\n\nNo API key needed.';
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: `${route.description ?? ''}${scopeNote}`.trim(),
    ...(route.scope ? { security: [{ bearer: [] }, { apiKey: [] }] } : { security: [] }),
    parameters: parameters(route, components),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: AnyRoute[] = allRoutes()): Json {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, components);
  }
  const errorRef = jsonSchema(errorSchema, 'output', components);
  const responses = Object.fromEntries(Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
    `E${status}`, { description, content: { 'application/json': { schema: errorRef } } },
  ]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Billflow API',
      version: packageVersion,
      description: 'Customers, catalog, subscriptions, usage, loans, charges, invoices and billing runs over HTTP. See docs/api.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      responses,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key> (billflow keys create)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
  };
}

export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
