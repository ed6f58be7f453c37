import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from './support.ts';

const ndjson = { 'content-type': 'application/x-ndjson' };
const csv = { 'content-type': 'text/csv; charset=utf-8' };

function customerLine(i: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: `Bulk ${i}`, email: `bulk${i}@example.com`, currency: 'INR', country: 'IN', taxRegion: 'IN-MH', legalEntityId: 'in', ...extra });
}

async function customers(api: TestApi): Promise<number> {
  return (await api.db.pool.query('select count(*)::int as n from customers')).rows[0].n;
}

describe('bulk customer import (NDJSON and CSV, streamed)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('imports NDJSON, with or without a final newline, CRLF included', async () => {
    const body = `${customerLine(1)}\r\n${customerLine(2)}\n${customerLine(3)}`;
    const response = await api.request('POST', '/api/v1/customers/import', { raw: body, headers: ndjson });
    assert.deepEqual([response.status, response.json], [201, { imported: 3 }]);
    assert.equal(await customers(api), 3);
  });

  it('imports CSV with a header line; empty cells are absent, metadata is JSON', async () => {
    const body = 'name,email,currency,country,taxRegion,legalEntityId,billingAnchorDay,metadata\n' +
      'Csv One,csv1@example.com,INR,IN,IN-KA,in,5,"{""plan"":""gold""}"\n' +
      '"Two, Csv",,EUR,DE,DE,eu,,\n';
    const response = await api.request('POST', '/api/v1/customers/import', { raw: body, headers: csv });
    assert.equal(response.status, 201, response.text);
    const rows = (await api.db.pool.query(`select name, email, billing_anchor_day, metadata from customers where name in ('Csv One', 'Two, Csv') order by name`)).rows;
    assert.deepEqual(rows, [
      { name: 'Csv One', email: 'csv1@example.com', billing_anchor_day: 5, metadata: { plan: 'gold' } },
      { name: 'Two, Csv', email: null, billing_anchor_day: 1, metadata: null },
    ]);
  });

  it('reports bad rows by line and imports nothing', async () => {
    const before = await customers(api);
    const body = [customerLine(10), customerLine(11, { currency: 'XYZ' }), customerLine(12), customerLine(13, { billingAnchorDay: 0 })].join('\n');
    const response = await api.request('POST', '/api/v1/customers/import', { raw: body, headers: ndjson });
    assert.equal(response.status, 400, response.text);
    assert.deepEqual(response.json.details.map((d: { field: string }) => d.field), ['line 2: currency', 'line 4: billingAnchorDay']);
    const csvBad = await api.request('POST', '/api/v1/customers/import', { raw: 'name,currency,country,legalEntityId\nA,INR,IN,in\nB,INR,IN,nowhere\n', headers: csv });
    assert.equal(csvBad.status, 400);
    assert.equal(csvBad.json.details[0].field, 'line 3: legalEntityId');
    const broken = await api.request('POST', '/api/v1/customers/import', { raw: `${customerLine(20)}\n{"name":`, headers: ndjson });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.code, 'invalid_json');
    assert.equal(broken.json.details[0].field, 'line 2');
    assert.equal(await customers(api), before);
  });

  it('answers 409 naming the lines of duplicate e-mails, in the file or already stored', async () => {
    const before = await customers(api);
    const body = [customerLine(30), customerLine(1), customerLine(31), customerLine(30)].join('\n');
    const response = await api.request('POST', '/api/v1/customers/import', { raw: body, headers: ndjson });
    assert.equal(response.status, 409, response.text);
    assert.deepEqual(response.json.details.map((d: { field: string }) => d.field).sort(), ['line 2: email', 'line 4: email']);
    assert.equal(await customers(api), before);
  });

  it('refuses other content types (415) and a body over the import limit (413)', async () => {
    assert.equal((await api.request('POST', '/api/v1/customers/import', { raw: customerLine(40), headers: { 'content-type': 'application/json' } })).status, 415);
    assert.equal((await api.request('POST', '/api/v1/customers/import', { raw: customerLine(40), headers: { 'content-type': 'text/plain' } })).status, 415);
    const small = await startTestApi({ api: { importLimitBytes: 4096 } });
    try {
      const big = Array.from({ length: 100 }, (_, i) => customerLine(i)).join('\n');
      const response = await small.request('POST', '/api/v1/customers/import', { raw: big, headers: ndjson });
      assert.equal(response.status, 413, response.text);
      assert.equal(response.json.code, 'payload_too_large');
      assert.equal(await customers(small), 0);
    } finally {
      await small.close();
    }
  });

  it('imports 20,000 customers in one streamed request', async () => {
    const before = await customers(api);
    const lines = Array.from({ length: 20_000 }, (_, i) => customerLine(100_000 + i)).join('\n');
    const started = performance.now();
    const response = await api.request('POST', '/api/v1/customers/import', { raw: lines, headers: ndjson });
    const ms = performance.now() - started;
    assert.deepEqual([response.status, response.json], [201, { imported: 20_000 }]);
    assert.equal(await customers(api), before + 20_000);
    process.stderr.write(`# import of 20,000 customers: ${Math.round(ms)} ms (${Math.round(20_000_000 / ms)}/s; the benchmark measures this properly)\n`);
  });
});
