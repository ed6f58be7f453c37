/**
 * Request input → the route's zod schemas. Path and query values arrive as strings; the domain
 * schemas are typed (limit is an integer, a customer id too), so a string is turned into a
 * number or boolean where the schema's JSON Schema says so, and only when it is one in full
 * ('12', not '12abc' or ''); anything else is left for zod to reject naming the field.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkInput, invalidInputError, MAX_ERROR_DETAILS } from '../customers/index.ts';
import type { ErrorDetail } from '../errors.ts';
import type { AnyRoute, RouteInput } from './route.ts';

type Kind = 'integer' | 'number' | 'boolean' | 'other';

interface JsonSchemaNode {
  type?: string | string[];
  anyOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
}

const kindsBySchema = new WeakMap<z.ZodType, Map<string, Kind>>();

function kindOf(node: JsonSchemaNode | undefined): Kind {
  if (node === undefined) return 'other';
  const types = [node.type, ...(node.anyOf ?? []).map((n) => n.type)].flat();
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  return 'other';
}

function propertyKinds(schema: z.ZodType): Map<string, Kind> {
  let kinds = kindsBySchema.get(schema);
  if (kinds === undefined) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    kinds = new Map(Object.entries(json.properties ?? {}).map(([key, node]) => [key, kindOf(node)]));
    kindsBySchema.set(schema, kinds);
  }
  return kinds;
}

const NUMBER_TEXT = /^-?\d{1,16}(\.\d{1,16})?$/;

export function coerceStrings(schema: z.ZodType, raw: unknown): Record<string, unknown> {
  const kinds = propertyKinds(schema);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const kind = kinds.get(key);
    if (typeof value === 'string' && (kind === 'integer' || kind === 'number') && NUMBER_TEXT.test(value)) out[key] = Number(value);
    else if (typeof value === 'string' && kind === 'boolean' && (value === 'true' || value === 'false')) out[key] = value === 'true';
    else out[key] = value;
  }
  return out;
}

/** Parses path, query and body with the route's schemas; one 400 naming every bad field. */
export function routeInput(route: AnyRoute, request: FastifyRequest): RouteInput<unknown, unknown, unknown> {
  const details: ErrorDetail[] = [];
  const check = (schema: z.ZodType | undefined, value: unknown): unknown => {
    if (schema === undefined) return undefined;
    const result = checkInput(schema, value);
    if (result.ok) return result.value;
    details.push(...result.details);
    return undefined;
  };
  const params = check(route.params, route.params ? coerceStrings(route.params, request.params) : undefined);
  const rawQuery = (request.query ?? {}) as Record<string, unknown>;
  const query = check(route.query, route.query ? coerceStrings(route.query, rawQuery) : undefined);
  if (!route.query) for (const field of Object.keys(rawQuery)) details.push({ field, message: 'unknown query parameter' });
  let body: unknown = request.body;
  if (route.body) body = check(route.body, request.body);
  else if (!route.streamBody && !isEmptyBody(request.body)) {
    details.push({ field: 'body', message: 'this endpoint takes no body (send none, or {})' });
  }
  if (details.length > 0) throw invalidInputError(details.slice(0, MAX_ERROR_DETAILS));
  return { params, query, body };
}

/** No body, or `{}`: what a client sends to an action endpoint (JSON null or [] is not). */
function isEmptyBody(body: unknown): boolean {
  return body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
}
