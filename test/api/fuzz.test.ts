/**
 * Fuzzing: every route gets randomly mutated input — bodies built from its example with values
 * swapped for huge or odd numbers, unicode (lone surrogates, NUL, RTL, emoji, very long strings),
 * wrong types and deep structures; random query strings and path parameters; odd content types,
 * Idempotency-Keys and Authorization headers. Whatever a client sends, the answer is never a 5xx
 * and always the JSON error shape (or a success). Seeded: a failure names its seed and case.
 * BILLFLOW_FUZZ_CASES sets the cases per route (default 30); BILLFLOW_FUZZ_SEED the seed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { allRoutes } from '../../src/server/routes/index.ts';
import { allRowCounts, createCustomerViaApi, startTestApi, type TestApi } from './support.ts';

const CASES = Number(process.env.BILLFLOW_FUZZ_CASES ?? 30);
const SEED = Number(process.env.BILLFLOW_FUZZ_SEED ?? 20261122);

/** mulberry32: small and seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_NUMBERS = ['1e400', '-1e400', '9007199254740993', '18446744073709551616', '-9223372036854775809', '1e-400', '-0', '0.1', '2147483648', '99999999999999999999999', '1.5', '-1', '0', '1e21', '123456789012345678901234567890.5'];
const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff x', '😀💸🧾', '\u202etxt.exe', 'é', 'e\u0301', '١٢٣', '１２３', 'ǅ', '\uFEFF1', 'x'.repeat(100_000),
  '2026-13-45', '0000-00-00', '9999-12-31', '275760-09-13', '2026-02-29', '2026-11-22T25:61:61Z', 'NaN', 'Infinity', '-Infinity', 'null', 'true',
  '0x10', '1e3', '+5', ' 12 ', '12abc', '../../etc/passwd', "'; drop table invoices; --", '%00', '%', '\\', '{{7*7}}', 'INR', 'inr', 'XXX', 'USD ',
  '@', 'a@b', 'john.doe@example.com', '+919812345678', '\n\r\t', '<script>alert(1)</script>', 'constructor', '__proto__', 'toString',
];

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** A random JSON value; numbers are returned as raw text so that huge ones survive. */
function oddValue(r: Rand, depth = 0): string {
  const k = r();
  if (k < 0.3) return pick(r, ODD_NUMBERS);
  if (k < 0.65) return JSON.stringify(pick(r, ODD_STRINGS));
  if (k < 0.72) return pick(r, ['true', 'false', 'null']);
  if (k < 0.8 || depth > 3) return `[${Array.from({ length: Math.floor(r() * 3) }, () => oddValue(r, depth + 1)).join(',')}]`;
  if (k < 0.85) return `[${Array.from({ length: 2_000 }, () => '1').join(',')}]`;
  return `{${Array.from({ length: Math.floor(r() * 3) }, () => `${JSON.stringify(pick(r, ODD_STRINGS).slice(0, 20))}:${oddValue(r, depth + 1)}`).join(',')}}`;
}

/** The example with one to three values (at any depth) replaced by odd ones, as JSON text. */
function mutate(r: Rand, example: unknown): string {
  const marker = '\u0001MUT\u0001';
  const clone = JSON.parse(JSON.stringify(example ?? {})) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [key, x] of Object.entries(v)) {
        slots.push({ parent: v as Record<string, unknown>, key });
        walk(x);
      }
    }
  };
  walk(clone);
  const replacements: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n && slots.length > 0; i++) {
    const slot = pick(r, slots);
    (slot.parent as Record<string | number, unknown>)[slot.key] = `${marker}${replacements.length}`;
    replacements.push(oddValue(r));
  }
  if (r() < 0.2 && clone !== null && typeof clone === 'object' && !Array.isArray(clone)) {
    (clone as Record<string, unknown>)[pick(r, ODD_STRINGS).slice(0, 30)] = `${marker}${replacements.length}`;
    replacements.push(oddValue(r));
  }
  return JSON.stringify(clone).replace(new RegExp(`"${marker}(\\d+)"`, 'g'), (_m, i: string) => replacements[Number(i)]!);
}

function oddPathValue(r: Rand, real: string): string {
  const k = r();
  if (k < 0.25) return real;
  if (k < 0.6) return encodeURIComponent(pick(r, [...ODD_NUMBERS, ...ODD_STRINGS.filter((s) => s.length < 200 && s !== '\ud800' && s !== '\udfff x')]));
  return pick(r, ['%', '%zz', '%C0%AF', '%ED%A0%80', '..', '.', '%2F', 'a'.repeat(300), '1;2', '1?x', '1#', '%00']);
}

function oddQuery(r: Rand, keys: string[]): string {
  const parts: string[] = [];
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.8 && keys.length > 0 ? pick(r, keys) : pick(r, ['zzz', '__proto__', 'limit[]', 'a[b]', '%', '']);
    const value = r() < 0.8 ? encodeURIComponent(pick(r, [...ODD_NUMBERS, ...ODD_STRINGS.filter((s) => s.length < 200 && !/[\ud800-\udfff]/.test(s))])) : pick(r, ['%', '%zz', '%ED%A0%80']);
    parts.push(`${key}=${value}`);
  }
  if (r() < 0.1) parts.push('limit=1&limit=2');
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON',
  'application/vnd.api+json', 'application/json;;', 'application/json; boundary=x', 'text/json', 'multipart/form-data; boundary=x', '*/*', 'application/',
];

describe(`fuzzing every route (seed ${SEED}, ${CASES} cases each): never a 5xx`, () => {
  let api: TestApi;
  const ids: Record<string, string> = {};
  before(async () => {
    api = await startTestApi();
    ids.customerId = String(await createCustomerViaApi(api, 'fuzz@example.com'));
    await api.request('POST', '/api/v1/products', { body: { id: 'base', name: 'Base' } });
    await api.request('POST', '/api/v1/metrics', { body: { code: 'calls', name: 'Calls', aggregation: 'sum' } });
    await api.request('POST', '/api/v1/plans', { body: { id: 'basic', name: 'Basic', charges: [{ id: 'basic-fee', productId: 'base', chargeModel: 'flat', prices: { INR: { amount: 1000 } } }] } });
    await api.request('POST', '/api/v1/coupons', { body: { id: 'TEN', name: '10%', kind: 'percentage', percent: '10' } });
    const sub = await api.request('POST', '/api/v1/subscriptions', { body: { customerId: Number(ids.customerId), planId: 'basic', startedOn: '2026-11-01' } });
    ids.subscriptionId = String(sub.json.id);
    const loan = await api.request('POST', '/api/v1/loans', { body: { customerId: Number(ids.customerId), currency: 'INR', principalMinor: 100000, annualRate: '10', tenureMonths: 6, firstDueOn: '2026-12-05' } });
    ids.loanId = String(loan.json.id);
    const bill = await api.request('POST', '/api/v1/bill/genBill', { body: { userId: Number(ids.customerId), items: [{ productId: 'x', quantity: 1, price: 1, productName: 'x' }] } });
    ids.invoiceId = String(bill.json.id);
    const run = await api.request('POST', '/api/v1/billing-runs', { body: { period: '2026-10' } });
    ids.runId = String(run.json.runId);
    Object.assign(ids, { productId: 'base', planId: 'basic', metricCode: 'calls', couponId: 'TEN', status: 'pending' });
  });
  after(async () => {
    await api.close();
  });

  for (const [index, route] of allRoutes().entries()) {
    it(`${route.method} ${route.url}`, async () => {
      const r = prng(SEED + index);
      const queryKeys = route.query ? Object.keys((route.query as unknown as { shape?: Record<string, unknown> }).shape ?? {}) : [];
      for (let i = 0; i < CASES; i++) {
        const path = route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => oddPathValue(r, ids[name] ?? '1')) + oddQuery(r, queryKeys);
        const headers: Record<string, string> = {};
        let raw: string | undefined;
        if (route.method !== 'GET') {
          raw = route.streamBody ? mutate(r, { name: 'A', currency: 'INR', country: 'IN', legalEntityId: 'in' }) : mutate(r, route.example);
          headers['content-type'] = route.streamBody && r() < 0.7 ? 'application/x-ndjson' : r() < 0.6 ? 'application/json' : pick(r, CONTENT_TYPES);
          if (r() < 0.3) headers['idempotency-key'] = pick(r, ['', ' ', 'k'.repeat(500), Buffer.from('ключ-😀').toString('latin1'), `fuzz-${i}`, '\t']);
        }
        const auth = r();
        if (auth < 0.05) headers.authorization = 'Bearer ' + 'x'.repeat(5_000);
        else if (auth < 0.1) headers.authorization = pick(r, ['Basic abc', 'Bearer', 'Bearer a b', 'bearer  ' + api.keys.all]);
        const response = await fetch(`${api.url}${path}`, { method: route.method, headers: { authorization: `Bearer ${api.keys.all}`, ...headers }, ...(raw === undefined ? {} : { body: raw }) })
          .then(async (res) => ({ status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' }));
        const what = `seed ${SEED + index} case ${i}: ${route.method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 200)} ${raw?.slice(0, 300) ?? ''} → ${response.status} ${response.text.slice(0, 300)}`;
        assert.ok(response.status < 500, what);
        if (response.status >= 400) {
          const body = JSON.parse(response.text) as { code?: unknown; message?: unknown; details?: unknown };
          assert.ok(typeof body.code === 'string' && typeof body.message === 'string' && Array.isArray(body.details), what);
        }
      }
    });
  }
});

/** Raw bytes over a fresh TCP connection; the whole answer as text. */
function rawHttp(url: string, request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parseRaw(answer: string): { status: number; json: { code: string; message: string; details: { field: string }[] } } {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)![1]), json: JSON.parse(body!) };
}

describe('inputs found by fuzzing, refused with 4xx and nothing written', () => {
  let api: TestApi;
  let customerId: number;
  before(async () => {
    api = await startTestApi();
    customerId = await createCustomerViaApi(api, 'found@example.com');
  });
  after(async () => {
    await api.close();
  });

  it('refuses encoded bodies, other charsets, non-UTF-8 bytes and unpaired surrogates', async () => {
    const before = await allRowCounts(api.db.pool);
    const customer = JSON.stringify({ name: 'A', currency: 'INR', country: 'IN', legalEntityId: 'in' });
    const gzip = await api.request('POST', '/api/v1/customers', { raw: customer, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.deepEqual([gzip.status, gzip.json.code, gzip.json.details[0].field], [415, 'unsupported_content_encoding', 'content-encoding']);
    const csv = await api.request('POST', '/api/v1/customers/import', { raw: 'name\nA\n', headers: { 'content-type': 'text/csv', 'content-encoding': 'br' } });
    assert.deepEqual([csv.status, csv.json.code], [415, 'unsupported_content_encoding']);
    const utf16 = await api.request('POST', '/api/v1/customers', { raw: Buffer.from(customer, 'utf16le'), headers: { 'content-type': 'application/json; charset=utf-16' } });
    assert.deepEqual([utf16.status, utf16.json.code, utf16.json.details[0].field], [415, 'unsupported_media_type', 'content-type']);
    const latin1 = await api.request('POST', '/api/v1/customers', { raw: Buffer.from('{"name":"Jos\u00e9","currency":"INR","country":"IN","legalEntityId":"in"}', 'latin1'), headers: { 'content-type': 'application/json' } });
    assert.deepEqual([latin1.status, latin1.json.code], [400, 'invalid_json']);
    const lone = await api.request('POST', '/api/v1/user/register', {
      raw: '{"firstname":"Jo\\ud800hn","middlename":"","lastname":"Doe","email":"lone@example.com","mobile":"0123456789"}', headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual([lone.status, lone.json.code, lone.json.details[0].field], [400, 'invalid_input', 'firstname']);
    const nested = await api.request('POST', '/api/v1/bill/genBill', {
      raw: `{"userId":${customerId},"items":[{"productId":"x","quantity":1,"price":1,"productName":"\\udc00"}]}`, headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual([nested.status, nested.json.details[0].field], [400, 'items[0].productName']);
    assert.deepEqual(await allRowCounts(api.db.pool), before);
    // A surrogate pair is one character: accepted, stored as it came.
    const pair = await api.request('POST', '/api/v1/customers', {
      raw: '{"name":"Smile \\ud83d\\ude00","currency":"INR","country":"IN","legalEntityId":"in"}', headers: { 'content-type': 'application/json; charset="UTF-8"' },
    });
    assert.deepEqual([pair.status, pair.json.name], [201, 'Smile \u{1F600}']);
  });

  it('answers malformed HTTP framing with the JSON error shape', async () => {
    const garbage = parseRaw(await rawHttp(api.url, 'NOT HTTP AT ALL\r\n\r\n'));
    assert.deepEqual([garbage.status, garbage.json.code, garbage.json.details[0]?.field], [400, 'bad_request', 'request']);
    const badLength = parseRaw(await rawHttp(api.url, `POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`));
    assert.equal(badLength.status, 400);
    assert.equal(typeof badLength.json.message, 'string');
    const huge = parseRaw(await rawHttp(api.url, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assert.deepEqual([huge.status, huge.json.code], [431, 'headers_too_large']);
  });

  it('refuses loans whose schedule cannot be represented (it used to fail every read of it with a 500)', async () => {
    const before = await allRowCounts(api.db.pool);
    const late = await api.request('POST', '/api/v1/loans', { body: { customerId, currency: 'INR', principalMinor: 100000, annualRate: '10', tenureMonths: 480, firstDueOn: '9999-12-05' } });
    assert.deepEqual([late.status, late.json.details[0].field], [400, 'firstDueOn']);
    const huge = await api.request('POST', '/api/v1/loans', { body: { customerId, currency: 'INR', principalMinor: 9007199254740991, annualRate: '99.9999', tenureMonths: 480, firstDueOn: '2026-12-05' } });
    assert.deepEqual([huge.status, huge.json.details[0].field], [400, 'principalMinor']);
    assert.deepEqual(await allRowCounts(api.db.pool), before);
    const edge = await api.request('POST', '/api/v1/loans', { body: { customerId, currency: 'INR', principalMinor: 100000, annualRate: '10', tenureMonths: 12, firstDueOn: '9999-01-31' } });
    assert.equal(edge.status, 201, edge.text);
    const schedule = await api.request('GET', `/api/v1/loans/${edge.json.id}/schedule`);
    assert.deepEqual([schedule.status, schedule.json.installments.at(-1).dueOn], [200, '9999-12-31']);
  });
});
