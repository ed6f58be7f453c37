/**
 * Table-driven: every POST route of the API (and PATCH) gets malformed bodies — broken JSON,
 * wrong shapes, wrong types, negative numbers, unknown fields, prototype keys, deep nesting,
 * oversized bodies, wrong content types — and must answer 4xx with {code, message, details[]}
 * and write nothing (row counts of every table unchanged).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { allRoutes } from '../../src/server/routes/index.ts';
import { allRowCounts, createCustomerViaApi, startTestApi, type TestApi } from './support.ts';

interface Case {
  name: string;
  raw: string | Buffer;
  contentType?: string;
}

const JSON_TYPE = 'application/json';

/** Replaces the value at a top-level key with a value of another type. */
function wrongTypeOf(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'twelve';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return 'not-a-list';
  if (value === null) return [];
  return 7;
}

/** Every number in the value made negative (deeply). */
function negated(value: unknown): unknown {
  if (typeof value === 'number') return -Math.abs(value) - 1;
  if (Array.isArray(value)) return value.map(negated);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, negated(v)]));
  return value;
}

/** Every string in the value with a NUL byte inside (Postgres text cannot hold one). */
function withNul(value: unknown): unknown {
  if (typeof value === 'string') return `${value}\u0000x`;
  if (Array.isArray(value)) return value.map(withNul);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNul(v)]));
  return value;
}

function hasNumber(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (Array.isArray(value)) return value.some(hasNumber);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasNumber);
  return false;
}

/** Top-level required fields of a body schema (of its first alternative for a union). */
function requiredFields(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { required?: string[]; anyOf?: { required?: string[] }[]; oneOf?: { required?: string[] }[] };
  return json.required ?? json.oneOf?.[0]?.required ?? json.anyOf?.[0]?.required ?? [];
}

function jsonCases(example: unknown, takesBody: boolean, required: string[]): Case[] {
  const cases: Case[] = [
    { name: 'truncated JSON', raw: '{"name": "x", ' },
    { name: 'not JSON', raw: 'name=x&email=y' },
    { name: 'trailing garbage', raw: '{}garbage' },
    { name: 'array', raw: '[]' },
    { name: 'string', raw: '"text"' },
    { name: 'number', raw: '42' },
    { name: 'null', raw: 'null' },
    { name: 'unknown field only', raw: '{"zzz": 1}' },
    { name: '__proto__ key', raw: '{"__proto__": {"admin": true}}' },
    { name: 'constructor key', raw: '{"constructor": {"prototype": {"x": 1}}}' },
    { name: 'deep nesting', raw: `${'['.repeat(5000)}${']'.repeat(5000)}` },
    { name: 'deep object nesting', raw: `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}` },
    { name: 'invalid UTF-8', raw: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
    { name: 'oversized (2 MiB)', raw: `{"name": "${'x'.repeat(2 * 1_048_576)}"}` },
    { name: 'text/plain', raw: '{}', contentType: 'text/plain' },
    { name: 'form encoded', raw: 'a=1', contentType: 'application/x-www-form-urlencoded' },
    { name: 'xml', raw: '<a/>', contentType: 'application/xml' },
  ];
  if (!takesBody) return cases;
  cases.push({ name: 'empty body', raw: '' });
  if (required.length > 0) cases.push({ name: 'empty object', raw: '{}' });
  if (example !== null && typeof example === 'object' && !Array.isArray(example)) {
    const fields = Object.entries(example as Record<string, unknown>);
    cases.push({ name: 'example + unknown field', raw: JSON.stringify({ ...example, unexpected: true }) });
    const huge = JSON.stringify(example).replace(/:(\d+)/, ':1e400');
    if (huge !== JSON.stringify(example)) cases.push({ name: 'huge number', raw: huge });
    for (const [key, value] of fields) {
      cases.push({ name: `wrong type of ${key}`, raw: JSON.stringify({ ...example, [key]: wrongTypeOf(value) }) });
      const { [key]: _omitted, ...rest } = example as Record<string, unknown>;
      void _omitted;
      if (required.includes(key)) {
        cases.push({ name: `missing ${key}`, raw: JSON.stringify(rest) });
      }
    }
    if (hasNumber(example)) cases.push({ name: 'negative numbers', raw: JSON.stringify(negated(example)) });
    cases.push({ name: 'NUL bytes in strings', raw: JSON.stringify(withNul(example)) });
  }
  return cases;
}

const IMPORT_CASES: Case[] = [
  { name: 'broken NDJSON line', raw: '{"name": "A"\n', contentType: 'application/x-ndjson' },
  { name: 'NDJSON with a bad row', raw: '{"name":"A","currency":"INR","country":"IN","legalEntityId":"in"}\n{"name":"B","currency":"XXX","country":"IN","legalEntityId":"in"}\n', contentType: 'application/x-ndjson' },
  { name: 'NDJSON blank line in the middle', raw: '{"name":"A","currency":"INR","country":"IN","legalEntityId":"in"}\n\n{"name":"B","currency":"INR","country":"IN","legalEntityId":"in"}\n', contentType: 'application/x-ndjson' },
  { name: 'NDJSON array line', raw: '[1,2]\n', contentType: 'application/x-ndjson' },
  { name: 'NDJSON NUL byte', raw: '{"name":"A\\u0000B","currency":"INR","country":"IN","legalEntityId":"in"}\n', contentType: 'application/x-ndjson' },
  { name: 'CSV NUL byte', raw: 'name,currency,country,legalEntityId\nA\u0000B,INR,IN,in\n', contentType: 'text/csv' },
  { name: 'NDJSON deep nesting', raw: `${'['.repeat(5000)}\n`, contentType: 'application/x-ndjson' },
  { name: 'CSV unknown column', raw: 'name,shoe_size\nA,42\n', contentType: 'text/csv' },
  { name: 'CSV unclosed quote', raw: 'name,currency,country,legalEntityId\n"A,INR,IN,in\n', contentType: 'text/csv' },
  { name: 'CSV ragged row', raw: 'name,currency,country,legalEntityId\nA,INR\n', contentType: 'text/csv' },
  { name: 'CSV negative anchor day', raw: 'name,currency,country,legalEntityId,billingAnchorDay\nA,INR,IN,in,-3\n', contentType: 'text/csv' },
  { name: 'JSON instead of NDJSON', raw: '{"name":"A"}', contentType: JSON_TYPE },
  { name: 'no content type', raw: 'x' , contentType: '' },
  { name: 'duplicate e-mails', raw: '{"name":"A","email":"d@x.io","currency":"INR","country":"IN","legalEntityId":"in"}\n{"name":"B","email":"d@x.io","currency":"INR","country":"IN","legalEntityId":"in"}\n', contentType: 'application/x-ndjson' },
];

describe('malformed bodies at every POST and PATCH: 4xx, JSON errors, nothing written', () => {
  let api: TestApi;
  const ids: Record<string, string> = {};
  before(async () => {
    api = await startTestApi();
    ids.customerId = String(await createCustomerViaApi(api, 'target@example.com'));
    await api.request('POST', '/api/v1/products', { body: { id: 'base', name: 'Base' } });
    await api.request('POST', '/api/v1/plans', { body: { id: 'basic', name: 'Basic', charges: [{ id: 'basic-fee', productId: 'base', chargeModel: 'flat', prices: { INR: { amount: 1000 } } }] } });
    const sub = await api.request('POST', '/api/v1/subscriptions', { body: { customerId: Number(ids.customerId), planId: 'basic', startedOn: '2026-11-01' } });
    ids.subscriptionId = String(sub.json.id);
    const bill = await api.request('POST', '/api/v1/bill/genBill', { body: { userId: Number(ids.customerId), items: [{ productId: 'x', quantity: 1, price: 1, productName: 'x' }] } });
    ids.invoiceId = String(bill.json.id);
    await api.db.pool.query(`update invoices set payment_status = 'failed' where id = $1`, [bill.json.id]);
    const run = await api.request('POST', '/api/v1/billing-runs', { body: { period: '2026-10' } });
    ids.runId = String(run.json.runId);
  });
  after(async () => {
    await api.close();
  });

  const routes = allRoutes().filter((r) => r.method === 'POST' || r.method === 'PATCH');

  it('covers every POST route with an example body where it takes one', () => {
    assert.ok(routes.length >= 20, `only ${routes.length} routes`);
    for (const route of routes) if (route.body) assert.ok(route.example !== undefined, `${route.url} has no example`);
    assert.deepEqual(requiredFields(allRoutes().find((r) => r.url === '/api/v1/customers' && r.method === 'POST')!.body).sort(), ['country', 'currency', 'legalEntityId', 'name']);
  });

  for (const route of routes) {
    it(`${route.method} ${route.url}`, async () => {
      const path = route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => ids[name] ?? '1');
      const cases = route.streamBody ? IMPORT_CASES : jsonCases(route.example, route.body !== undefined, requiredFields(route.body));
      const before = await allRowCounts(api.db.pool);
      for (const c of cases) {
        for (const idempotencyKey of [undefined, `malformed-${c.name}`]) {
          const headers: Record<string, string> = {};
          if (c.contentType !== '') headers['content-type'] = c.contentType ?? JSON_TYPE;
          if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
          const response = await api.request(route.method, path, { raw: c.raw, headers });
          const what = `${route.method} ${path} with ${c.name}: ${response.status} ${response.text.slice(0, 300)}`;
          assert.ok(response.status >= 400 && response.status < 500, what);
          assert.equal(typeof response.json?.code, 'string', what);
          assert.equal(typeof response.json?.message, 'string', what);
          assert.ok(Array.isArray(response.json?.details), what);
          if (response.status === 400) assert.ok(response.json.details.length > 0, `400 without details: ${what}`);
        }
      }
      assert.deepEqual(await allRowCounts(api.db.pool), before, `${route.url} wrote something`);
    });
  }
});
