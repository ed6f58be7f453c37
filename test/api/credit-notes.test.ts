/**
 * Credit notes over HTTP: issue (with an Idempotency-Key, replayed byte for byte), get, list by
 * invoice, the PDF once the worker task has rendered it, and refusals that name the field and
 * write nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from 'graphile-worker';
import { createAdHocInvoice } from '../../src/billing/adhoc.ts';
import { documentTasks } from '../../src/documents/index.ts';
import { CREDIT_NOTE_RENDER_TASK } from '../../src/invoices/index.ts';
import { checkLedger } from '../../src/ledger/index.ts';
import { silentLog } from '../../src/log.ts';
import { creditNoteSchema } from '../../src/server/schemas.ts';
import { pdfText } from '../documents/pdf-tools.ts';
import { allRowCounts, createCustomerViaApi, fixedClock, startTestApi, type TestApi } from './support.ts';

describe('credit notes API', () => {
  let api: TestApi;
  let dataDir: string;
  let invoiceId: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'billflow-api-credit-'));
    api = await startTestApi({ dataDir });
    const customerId = await createCustomerViaApi(api, 'credit-api@example.com');
    const inv = await createAdHocInvoice({ db: api.db.pool, clock: fixedClock }, {
      customerId, source: 'api:credit-api', items: [{ productId: 'P1', productName: 'Seat', quantity: 2, price: 10000 }],
    });
    invoiceId = inv.id;
    assert.equal(inv.totalMinor, 23600);
  });
  after(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('issues a credit note once per Idempotency-Key, gets it, lists it, and the invoice owes less', async () => {
    const body = { amountMinor: 11800, reason: 'One seat returned' };
    const headers = { 'idempotency-key': 'credit-1' };
    const first = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { body, headers });
    assert.equal(first.status, 201, first.text);
    creditNoteSchema.parse(first.json);
    assert.deepEqual([first.json.totalMinor, first.json.taxMinor, first.json.receivableMinor, first.json.invoice.amountDueMinor], [11800, 1800, 11800, 11800]);
    const again = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { body, headers });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.text, first.text);
    const got = await api.request('GET', `/api/v1/credit-notes/${first.json.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.number, first.json.number);
    const list = await api.request('GET', `/api/v1/invoices/${invoiceId}/credit-notes`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.creditNotes.map((c: { id: number }) => c.id), [first.json.id]);
    const invoice = await api.request('GET', `/api/v1/invoices/${invoiceId}`);
    assert.deepEqual([invoice.json.creditedMinor, invoice.json.amountDueMinor], [11800, 11800]);
    assert.equal((await checkLedger(api.db.pool)).ok, true);
  });

  it('serves the PDF once the worker task has rendered it', async () => {
    const note = (await api.request('GET', `/api/v1/invoices/${invoiceId}/credit-notes`)).json.creditNotes[0];
    const before = await api.request('GET', `/api/v1/credit-notes/${note.id}/pdf`);
    assert.equal(before.status, 404);
    assert.equal(before.json.code, 'pdf_not_ready');
    const queued = (await api.db.pool.query(`select j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = $1`, [CREDIT_NOTE_RENDER_TASK])).rows;
    assert.deepEqual(queued.map((r) => r.payload.creditNoteId), [note.id]);
    const task = documentTasks(api.db.pool, silentLog, { documents: api.config.documents, dataDir })[CREDIT_NOTE_RENDER_TASK] as Task;
    await task({ creditNoteId: note.id }, {} as never);
    const pdf = await fetch(`${api.url}/api/v1/credit-notes/${note.id}/pdf`, { headers: { authorization: `Bearer ${api.keys.read}` } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.equal(pdf.headers.get('etag'), `"${sha}"`);
    const text = (await pdfText(bytes)).text.join(' ');
    assert.ok(text.includes(note.number) && text.includes('118.00'), text);
    const got = await api.request('GET', `/api/v1/credit-notes/${note.id}`);
    assert.deepEqual([got.json.pdf.sha256, got.json.pdf.sizeBytes], [sha, bytes.length]);
  });

  it('refuses an over-credit and bad bodies naming the field, writing nothing', async () => {
    const before = await allRowCounts(api.db.pool);
    const over = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { body: { amountMinor: 11801, reason: 'too much' } });
    assert.equal(over.status, 409, over.text);
    assert.equal(over.json.code, 'credit_exceeds_invoice');
    assert.equal(over.json.details[0].field, 'amountMinor');
    const neither = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { body: { reason: 'what?' } });
    assert.equal(neither.status, 400);
    assert.equal(neither.json.details[0].field, 'amountMinor');
    const line = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { body: { lines: [{ lineNo: 1, quantity: 2 }], reason: 'both seats' } });
    assert.equal(line.status, 409);
    assert.equal(line.json.details[0].field, 'lines'); // 2 seats are 23600, and 11800 is left
    const unknown = await api.request('POST', '/api/v1/invoices/999999/credit-notes', { body: { full: true, reason: 'x' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'invoice_not_found');
    const reader = await api.request('POST', `/api/v1/invoices/${invoiceId}/credit-notes`, { key: api.keys.read, body: { full: true, reason: 'x' } });
    assert.equal(reader.status, 403);
    assert.deepEqual(await allRowCounts(api.db.pool), before);
    assert.equal((await api.request('GET', '/api/v1/credit-notes/999999')).json.code, 'credit_note_not_found');
  });
});
