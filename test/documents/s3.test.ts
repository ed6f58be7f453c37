import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInvoiceView, DocumentRenderer, openStore, sampleInvoiceRecord, type DocumentStore } from '../../src/documents/index.ts';
import { DEFAULT_DOCUMENT_SETTINGS } from '../../src/documents/storage.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('documents: S3-compatible storage (s3rver, in-process)', () => {
  let dir: string;
  let server: { close(): Promise<void> };
  let store: DocumentStore;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'billflow-s3-'));
    const port = await freePort();
    // s3rver ships no types; this is the part of its API the test uses.
    const moduleName = 's3rver';
    const { default: S3rver } = (await import(moduleName)) as { default: new (o: object) => { run(): Promise<unknown>; close(): Promise<void> } };
    const s3 = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'invoices', configs: [] }] });
    await s3.run();
    server = s3;
    store = await openStore({
      ...DEFAULT_DOCUMENT_SETTINGS,
      storage: 's3',
      s3: { bucket: 'invoices', prefix: 'billflow', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }, dir);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a rendered PDF and reads back the same bytes', async () => {
    const renderer = new DocumentRenderer();
    const [doc] = renderer.renderBatch([buildInvoiceView(sampleInvoiceRecord(9, 'de'), renderer.templates)]);
    const key = '2026-11/42/BFEU-2026-000010.pdf';
    await store.put(key, doc!.pdf);
    const back = await store.get(key);
    assert.ok(back && back.equals(doc!.pdf), 'same bytes');
    assert.equal(store.locate(key), 's3://invoices/billflow/2026-11/42/BFEU-2026-000010.pdf');
    assert.equal(await store.get('2026-11/42/missing.pdf'), null);
    const blob = randomBytes(300_000);
    await store.put('2026-11/1/big.pdf', blob);
    assert.ok((await store.get('2026-11/1/big.pdf'))!.equals(blob));
  });
});
