import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NodeCompiler as NodeCompilerType, NodeError, NodeTypstDocument as NodeTypstDocumentType } from '@myriaddreamin/typst-ts-node-compiler';
import { BillflowError } from '../errors.ts';
import { loadFonts } from './fonts.ts';
import { extractPart, parsePdf } from './pdf-split.ts';
import { isStale, loadTemplateSet, TEMPLATE_FILE, templateError, type TemplateSet } from './templates.ts';
import type { DocumentKind, DocumentView } from './view.ts';

/**
 * Typst in-process (the napi build of typst.ts): no CLI process, no browser. Documents render in
 * batches: one Typst document per batch, one PDF export, then the PDF is split per document
 * (pdf-split.ts). Data reaches a template only as JSON through a virtual file
 * (`/.billflow/batch.json`, read with `json()`), never pasted into template source.
 *
 * Memory: Typst memoizes layout in a process-global cache that grows about 1 MB per document
 * unless evicted. The cache is evicted after every batch, and the compiler itself is replaced
 * (recycled) after `recycleAfterDocuments`, which also re-reads fonts and templates.
 */
const require = createRequire(import.meta.url);
type TypstModule = typeof import('@myriaddreamin/typst-ts-node-compiler');
let typst: TypstModule | null = null;
/** The native module (~50 MB) is loaded on first use, not by every process that imports billing. */
function typstModule(): TypstModule {
  return (typst ??= require('@myriaddreamin/typst-ts-node-compiler') as TypstModule);
}

/**
 * Each compile leaves ~25 MB per 100 documents in native objects (the laid-out document, the
 * compile result) that are freed only when V8 collects their small JS handles — and V8, not
 * seeing the native size, rarely does. Without help RSS grows ~0.25 MB per document forever;
 * with a full collection every few hundred documents (~10 ms each), it stays flat. The native
 * finalizers then run on the next turn of the event loop, so callers must await between batches
 * (the render job does: database and store I/O).
 */
let collect: (() => void) | null = null;
function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/** Virtual workspace root: nothing under it exists on disk; every file is handed over. */
const ROOT = '/billflow-templates';
const BATCH_JSON = '/.billflow/batch.json';
const MAX_DIAGNOSTICS = 5;

export interface RendererOptions {
  templatesDir?: string | null;
  /** Replace the compiler after this many documents (bounded memory). */
  recycleAfterDocuments?: number;
  /** Typst cache entries unused for this many evictions are dropped (0 = drop all). */
  evictMaxAge?: number;
  /** Run a full garbage collection after this many documents (frees Typst's native memory). */
  collectEveryDocuments?: number;
}

export interface RenderedDocument {
  pdf: Buffer;
  pages: number;
}

/**
 * The wrappers that lay a batch of one kind out, one Typst document for the whole batch.
 *
 * - `fast` (tried first): documents separated by strong page breaks, so every document has at
 *   least one page of its own (an empty one gets a blank page). When the batch has exactly as
 *   many pages as documents, page i is document i — no marker, no query, one layout pass.
 * - `marked`: before each document, an invisible marker records the page it starts on (it lands
 *   on the document's first page), and one query after layout tells which pages belong to whom.
 *   Reading `here().page()` makes Typst lay the whole batch out a second time (introspection),
 *   ~0.2–0.3 ms per invoice, so it is used only for batches with a multi-page document.
 * - `numbered` (multi-page invoices laid out a second time) also restarts the page counter per
 *   document. The markers are content, not page styles: a per-document style would defeat
 *   Typst's layout cache (see templates/lib.typ).
 */
type Wrapper = 'fast' | 'marked' | 'numbered';
function batchSource(kind: DocumentKind, wrapper: Wrapper): string {
  return [
    `#import "/${TEMPLATE_FILE[kind]}": render`,
    `#let batch = json("${BATCH_JSON}")`,
    `#for (i, doc) in batch.docs.enumerate() {`,
    // The labels travel once per batch (see batchJson); each view gets its own back here.
    `  doc.insert("labels", batch.labels.at(doc.labels))`,
    ...(wrapper === 'fast'
      ? ['  if i > 0 { pagebreak() }']
      : [
        '  if i > 0 { pagebreak(weak: true) }',
        ...(wrapper === 'numbered' ? ['  counter(page).update(1)'] : []),
        `  context [#metadata(here().page())<billflow-document-start>]`,
      ]),
    `  render(doc)`,
    `}`,
  ].join('\n');
}

/**
 * The batch as Typst reads it: `{ labels: [...], docs: [...] }`, each view's `labels` replaced by
 * an index into `labels`. A view's labels (the locale's ~60 messages) are 40% of its JSON and the
 * same for every view of a batch (one locale per batch): sent once, they cost neither
 * `JSON.stringify` nor Typst's JSON parser per document.
 */
function batchJson(views: DocumentView[]): Buffer {
  const labels: unknown[] = [];
  const index = new Map<unknown, number>();
  const docs = views.map((v) => {
    let k = index.get(v.labels);
    if (k === undefined) {
      index.set(v.labels, (k = labels.length));
      labels.push(v.labels);
    }
    return { ...v, labels: k };
  });
  return Buffer.from(JSON.stringify({ labels, docs }));
}

/**
 * Batches that are laid out `marked` at once, without trying `fast` first: statements (several
 * pages each), and invoices with so many lines that one of them probably takes a second page.
 * Only a guess from the batch itself (the same batch always takes the same path, so gives the
 * same bytes): `fast` checks the page count and falls back to `marked` anyway.
 */
const LIKELY_MULTI_PAGE_LINES = 30; // the default invoice holds 30–35 lines on one page
function likelyMultiPage(views: DocumentView[]): boolean {
  return views.some((v) => v.kind === 'loan_statement' || v.lines.length > LIKELY_MULTI_PAGE_LINES);
}

/**
 * Kinds whose templates number pages from `doc.pages` ("Page 1 of 2"): a document of these kinds
 * that needs more than one page is laid out again with `pages` set. The statement paginates
 * itself and numbers its own pages.
 */
const NUMBERED_KINDS: ReadonlySet<DocumentKind> = new Set(['invoice', 'credit_note']);

export class DocumentRenderer {
  templates: TemplateSet;
  private compiler: NodeCompilerType | null = null;
  private documentsSinceRecycle = 0;
  private documentsSinceCollect = 0;
  private readonly options: Required<RendererOptions>;
  /** Counts for the bench and logs. */
  stats = { batches: 0, documents: 0, recycles: 0, templateReloads: 0 };

  constructor(options: RendererOptions = {}) {
    this.options = {
      templatesDir: options.templatesDir ?? null,
      recycleAfterDocuments: options.recycleAfterDocuments ?? 20_000,
      evictMaxAge: options.evictMaxAge ?? 0,
      collectEveryDocuments: options.collectEveryDocuments ?? 400,
    };
    this.templates = loadTemplateSet(this.options.templatesDir);
  }

  /**
   * Drops the compiler and its caches and collects garbage, so native memory is freed before a
   * thread ends (a thread that exits with live compiler handles never runs their finalizers).
   * Await a turn of the event loop afterwards; the renderer can still be used (it starts afresh).
   */
  dispose(): void {
    this.compiler?.evictCache(0);
    this.compiler = null;
    collectGarbage();
  }

  /** Re-reads the templates when a file changed; returns true if it did. */
  refreshTemplates(): boolean {
    if (!isStale(this.templates)) return false;
    this.templates = loadTemplateSet(this.options.templatesDir);
    this.compiler = null;
    this.stats.templateReloads++;
    return true;
  }

  private getCompiler(): NodeCompilerType {
    if (this.compiler && this.documentsSinceRecycle < this.options.recycleAfterDocuments) return this.compiler;
    if (this.compiler) {
      this.stats.recycles++;
      this.compiler.evictCache(0);
      this.compiler = null;
    }
    const compiler = typstModule().NodeCompiler.create({ workspace: ROOT, fontArgs: [{ fontBlobs: loadFonts() }] });
    for (const file of this.templates.files.values()) {
      if (file.name.endsWith('.typ')) compiler.addSource(`${ROOT}/${file.name}`, file.bytes.toString('utf8'));
      else compiler.mapShadow(`${ROOT}/${file.name}`, file.bytes);
    }
    for (const kind of Object.keys(TEMPLATE_FILE) as DocumentKind[]) {
      for (const wrapper of ['fast', 'marked', 'numbered'] as const) compiler.addSource(`${ROOT}/.billflow/${kind}-${wrapper}.typ`, batchSource(kind, wrapper));
    }
    this.compiler = compiler;
    this.documentsSinceRecycle = 0;
    return compiler;
  }

  /**
   * Renders documents of one kind; the result is in the input's order. Throws template_error.
   * Multi-page invoices are laid out a second time, with `doc.pages` set, for "Page i of n":
   * numbering every document up front would cost a page counter for each one-page invoice too.
   */
  renderBatch(views: DocumentView[]): RenderedDocument[] {
    if (views.length === 0) return [];
    const kind = views[0]!.kind;
    if (views.some((v) => v.kind !== kind)) throw new Error('renderBatch: one kind per batch');
    if (!this.templates.files.has(TEMPLATE_FILE[kind])) throw templateError(`no ${TEMPLATE_FILE[kind]} in ${this.templates.dirs.join(' or ')}`);
    const out = this.layoutBatch(views, kind, likelyMultiPage(views) ? 'marked' : 'fast');
    const long = NUMBERED_KINDS.has(kind) ? out.flatMap((d, i) => (d.pages > 1 ? [i] : [])) : [];
    if (long.length > 0) {
      const again = this.layoutBatch(long.map((i) => ({ ...views[i]!, pages: out[i]!.pages })), kind, 'numbered');
      long.forEach((i, k) => (out[i] = again[k]!));
    }
    this.stats.batches++;
    this.stats.documents += views.length;
    this.documentsSinceRecycle += views.length;
    return out;
  }

  /**
   * One Typst document for the batch, one PDF export, split per document. The `fast` wrapper
   * falls back to `marked` when the batch has more pages than documents.
   */
  private layoutBatch(views: DocumentView[], kind: DocumentKind, wrapper: Wrapper): RenderedDocument[] {
    const compiler = this.getCompiler();
    compiler.mapShadow(`${ROOT}${BATCH_JSON}`, batchJson(views));
    try {
      let doc = this.compileBatch(compiler, kind, wrapper);
      const onePageEach = wrapper === 'fast' && doc.numOfPages === views.length;
      if (wrapper === 'fast' && !onePageEach) doc = this.compileBatch(compiler, kind, (wrapper = 'marked'));
      const starts = onePageEach
        ? views.map((_, i) => i)
        : (compiler.query(doc, { selector: '<billflow-document-start>' }) as { value: number }[]).map((m) => m.value - 1);
      if (starts.length !== views.length) throw new Error(`renderBatch: ${views.length} documents but ${starts.length} start marks`);
      // typst-ts 0.6.0 (pinned: 0.7.0 lacks darwin/win builds, see decisions.md) writes untagged PDFs.
      const pdf = compiler.pdf(doc, {});
      const parsed = parsePdf(pdf);
      if (parsed.pages.length !== doc.numOfPages) throw new Error(`renderBatch: ${doc.numOfPages} pages laid out, ${parsed.pages.length} in the PDF`);
      const out: RenderedDocument[] = [];
      for (let i = 0; i < views.length; i++) {
        const first = starts[i]!;
        const pages = (i + 1 < starts.length ? starts[i + 1]! : parsed.pages.length) - first;
        const v = views[i]!;
        if (pages < 1) throw templateError(`document ${v.number} has no page of its own (does the template produce any content?)`);
        out.push({ pages, pdf: extractPart(parsed, { firstPage: first, pages, title: v.title, lang: v.lang, date: v.raw.issueDate }) });
      }
      return out;
    } finally {
      compiler.unmapShadow(`${ROOT}${BATCH_JSON}`);
      compiler.evictCache(this.options.evictMaxAge);
      this.documentsSinceCollect += views.length;
      if (this.documentsSinceCollect >= this.options.collectEveryDocuments) {
        this.documentsSinceCollect = 0;
        collectGarbage();
      }
    }
  }

  private compileBatch(compiler: NodeCompilerType, kind: DocumentKind, wrapper: Wrapper): NodeTypstDocumentType {
    const result = compiler.compile({ mainFilePath: `${ROOT}/.billflow/${kind}-${wrapper}.typ` });
    const doc = result.result;
    if (result.hasError() || !doc) throw this.diagnosticsError(compiler, result.takeDiagnostics() ?? result.takeError(), kind);
    return doc;
  }

  /** Typst diagnostics → template_error naming the real file, line and column. */
  private diagnosticsError(compiler: NodeCompilerType, error: NodeError | null, kind: DocumentKind): BillflowError {
    const raw = error ? (compiler.fetchDiagnostics(error) as Diagnostic[]) : [];
    const errors = raw.filter((d) => d.severity === 1).slice(0, MAX_DIAGNOSTICS);
    const details = errors.map((d) => ({ field: this.location(d), message: d.message }));
    if (details.length === 0) details.push({ field: TEMPLATE_FILE[kind], message: error?.shortDiagnostics?.map((d: Diagnostic) => d.message).join('; ') || 'compilation failed' });
    const first = details[0]!;
    return new BillflowError('template_error', `template error in ${first.field}: ${first.message}`, { httpStatus: 500, details });
  }

  private location(d: Diagnostic): string {
    const name = d.path.startsWith(`${ROOT}/`) ? d.path.slice(ROOT.length + 1) : d.path;
    const file = this.templates.files.get(name);
    const where = file ? file.realPath : name === '.billflow/batch.json' ? 'batch data' : name;
    return d.range ? `${where}:${d.range.start.line + 1}:${d.range.start.character + 1}` : where;
  }
}

interface Diagnostic {
  message: string;
  path: string;
  severity: number;
  range: { start: { line: number; character: number } } | null;
}
