import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildOpenApiDocument, openApiJson } from '../../src/server/openapi.ts';
import { openApiPath } from '../../src/server/route.ts';
import { allRoutes } from '../../src/server/routes/index.ts';
import { startTestApi, type TestApi } from './support.ts';

describe('OpenAPI 3.1 document', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('docs/openapi.json is up to date (run `npm run openapi` after changing a route or schema)', () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    assert.ok(committed === openApiJson(), 'docs/openapi.json is stale: run `npm run openapi`');
  });

  it('documents every route once, with a unique operationId, its scope and its errors', () => {
    const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security: unknown[] }>> };
    assert.equal(doc.openapi, '3.1.0');
    const ids = new Set<string>();
    for (const route of allRoutes()) {
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      assert.ok(op, `${route.method} ${route.url} is not documented`);
      assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} repeats`);
      ids.add(op.operationId);
      assert.ok(op.responses[String(route.status)], `${route.url}: no ${route.status} response`);
      if (route.scope) assert.ok(op.responses['401'] && op.responses['403'] && op.responses['429'], route.url);
      else assert.deepEqual(op.security, []);
    }
    const refs = JSON.stringify(doc).match(/#\/components\/(schemas|responses)\/[A-Za-z0-9]+/g) ?? [];
    const components = (doc as unknown as { components: Record<string, Record<string, unknown>> }).components;
    for (const ref of refs) {
      const [, , kind, name] = ref.split('/');
      assert.ok(components[kind!]?.[name!], `dangling ${ref}`);
    }
  });

  it('is served at /api/docs/openapi.json, with a Swagger UI page at /api/docs, without a key', async () => {
    const json = await api.request('GET', '/api/docs/openapi.json', { key: null });
    assert.equal(json.status, 200);
    assert.deepEqual(json.json, buildOpenApiDocument());
    const page = await fetch(`${api.url}/api/docs/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui/i);
    const script = await fetch(`${api.url}/api/docs/static/swagger-ui-bundle.js`);
    assert.equal(script.status, 200);
    assert.ok((await script.arrayBuffer()).byteLength > 100_000, 'the UI bundle is served locally');
  });
});
