import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BillflowError } from '../errors.ts';
import type { Log } from '../log.ts';
import { documentsSql } from './documents-sql.ts';
import { buildInvoiceView } from './invoice-view.ts';
import { loadInvoices, type LoadedInvoice } from './load.ts';
import type { DocumentRenderer, RenderedDocument } from './renderer.ts';
import { documentKey, type DocumentStore } from './storage.ts';
import type { DocumentView } from './view.ts';

/** Concurrent writes to the store per batch (S3 PUTs; local files). */
const STORE_CONCURRENCY = 16;
/** Batches loaded per database round trip (then grouped by kind and locale). */
const WINDOW_BATCHES = 4;
/**
 * Documents per batch in scripts of thousands of glyphs. A batch shares one font subset, and a
 * kanji costs ~130 bytes in every PDF of its batch: Japanese invoices with different names are
 * ~22 KB alone, ~30 KB in batches of 20+, 26 KB (27 KB at most) in batches of 8 — at ~5 ms of
 * CPU each instead of ~2.5 (docs/documents.md, "Localization and fonts").
 */
const LARGE_SCRIPT_BATCH = 8;
const LARGE_SCRIPT_LANGS: ReadonlySet<string> = new Set(['ja', 'zh', 'ko']);

export interface RenderDeps {
  db: pg.Pool;
  log: Log;
  renderer: DocumentRenderer;
  store: DocumentStore;
}

export interface RenderOutcome {
  rendered: number;
  unchanged: number;
  failed: { invoiceId: number; number: string; error: string }[];
}

/**
 * The content hash of a document: template set + view. Two renders with the same hash are the
 * same document, so the second stores nothing (idempotent re-rendering).
 */
export function contentHash(templatesHash: string, view: DocumentView): string {
  return createHash('sha256').update(templatesHash).update('\0').update(JSON.stringify(view)).digest('hex');
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** Renders one batch (one kind); a template error that is not about one document's data throws. */
function renderGroup<T extends { loaded: LoadedInvoice; view: DocumentView }>(renderer: DocumentRenderer, items: T[], failed: RenderOutcome['failed']): (T & { doc: RenderedDocument })[] {
  try {
    const docs = renderer.renderBatch(items.map((x) => x.view));
    return docs.map((doc, i) => ({ ...items[i]!, doc }));
  } catch (error) {
    if (!(error instanceof BillflowError) || items.length === 1) throw error;
    // One document's data may break a template that works for the others: render one by one,
    // keep the good ones, report the bad. If the first fails the same way, the template is broken.
    const out: (T & { doc: RenderedDocument })[] = [];
    for (const item of items) {
      try {
        out.push({ ...item, doc: renderer.renderBatch([item.view])[0]! });
      } catch (single) {
        if (out.length === 0 && failed.length === 0 && (single as Error).message === error.message) throw error;
        failed.push({ invoiceId: item.loaded.record.id, number: item.loaded.record.number, error: (single as Error).message });
      }
    }
    return out;
  }
}

/**
 * Renders and stores the PDFs of these invoices in batches of `batchSize`, skipping those whose
 * stored document has the same content hash. Records path, size and SHA-256 per batch, so an
 * interrupted call resumes where it stopped. Throws template_error when a template is broken.
 */
export async function renderInvoices(deps: RenderDeps, invoiceIds: number[], options: { batchSize: number; onBatch?: (done: number) => void }): Promise<RenderOutcome> {
  const outcome: RenderOutcome = { rendered: 0, unchanged: 0, failed: [] };
  // A window of several batches is loaded at once and grouped by kind and locale: a batch of
  // one locale shares fewer glyphs with others, so each PDF's font subset stays small.
  const window = options.batchSize * WINDOW_BATCHES;
  for (let at = 0; at < invoiceIds.length; at += window) {
    deps.renderer.refreshTemplates(); // an edited template is picked up by the next window
    const loaded = await loadInvoices(deps.db, invoiceIds.slice(at, at + window));
    const groups = new Map<string, { loaded: LoadedInvoice; view: DocumentView; hash: string }[]>();
    for (const l of loaded) {
      const view = buildInvoiceView(l.record, deps.renderer.templates);
      const hash = contentHash(deps.renderer.templates.hash, view);
      if (l.existing?.contentHash === hash) {
        outcome.unchanged++;
        continue;
      }
      const key = `${view.kind}|${view.locale}`;
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push({ loaded: l, view, hash });
    }
    const rows: Parameters<typeof documentsSql.upsertDocuments>[0] = [];
    for (const group of groups.values()) {
      const size = LARGE_SCRIPT_LANGS.has(group[0]!.view.lang) ? Math.min(options.batchSize, LARGE_SCRIPT_BATCH) : options.batchSize;
      for (let b = 0; b < group.length; b += size) {
        const done = renderGroup(deps.renderer, group.slice(b, b + size), outcome.failed);
        await inParallel(done, STORE_CONCURRENCY, async (d) => {
          const r = d.loaded.record;
          const key = documentKey(r.period, r.customer.id, r.number);
          await deps.store.put(key, d.doc.pdf);
          rows.push({
            invoiceId: r.id, kind: d.view.kind, locale: d.view.locale, contentHash: d.hash, storage: deps.store.kind, path: key,
            size: d.doc.pdf.length, sha256: createHash('sha256').update(d.doc.pdf).digest('hex'), pages: d.doc.pages,
          });
        });
      }
    }
    if (rows.length > 0) {
      const sql = documentsSql.upsertDocuments(rows);
      await deps.db.query(sql.text, sql.values);
    }
    outcome.rendered += rows.length;
    options.onBatch?.(Math.min(at + window, invoiceIds.length));
  }
  return outcome;
}
