import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInvoiceView, buildLoanStatementView, DEFAULT_TEMPLATES_DIR, DocumentRenderer, sampleInvoiceRecord, sampleStatementRecord } from '../../src/documents/index.ts';
import { BillflowError } from '../../src/errors.ts';
import { formatMinor } from '../../src/money/format.ts';
import { hasPdftoppm, inkShareOfFirstPage, pdfText } from './pdf-tools.ts';

const squash = (s: string) => s.replace(/\s+/g, '');

describe('documents: rendering with Typst', { concurrency: false }, () => {
  const renderer = new DocumentRenderer();

  it('an invoice PDF carries its number, customer, totals and currency symbol in every locale', async () => {
    // Japanese formats yen with the full-width sign.
    const symbols: Record<string, string> = { en: '£', fr: '€', de: '€', es: '€', hi: '₹', ja: '￥' };
    for (const locale of Object.keys(symbols)) {
      const record = sampleInvoiceRecord(3, locale);
      const view = buildInvoiceView(record, renderer.templates);
      const [doc] = renderer.renderBatch([view]);
      assert.equal(doc!.pages, 1);
      assert.ok(doc!.pdf.length <= 30 * 1024, `${locale}: ${doc!.pdf.length} bytes > 30 KB`);
      const { pages, text } = await pdfText(doc!.pdf);
      const all = squash(text.join(' '));
      assert.equal(pages, 1);
      assert.ok(all.includes(record.number), `${locale}: number`);
      assert.ok(all.includes(squash(record.customer.name)), `${locale}: customer name`);
      assert.ok(all.includes(squash(formatMinor(record.totalMinor, record.currency, view.locale))), `${locale}: total ${formatMinor(record.totalMinor, record.currency, view.locale)}`);
      assert.ok(all.includes(symbols[locale]!), `${locale}: ${symbols[locale]}`);
    }
  });

  it('labels come from the locale\'s message file (Hindi in Devanagari)', async () => {
    const [doc] = renderer.renderBatch([buildInvoiceView(sampleInvoiceRecord(1, 'hi'), renderer.templates)]);
    const all = (await pdfText(doc!.pdf)).text.join(' ');
    // Devanagari is laid out in conjuncts, so extracted text is only approximately the source;
    // a short label and the script itself are enough to know the Hindi messages were used.
    assert.match(all, /[\u0900-\u097F]{2}/);
    assert.match(all, /कर/);
    const [de] = renderer.renderBatch([buildInvoiceView(sampleInvoiceRecord(1, 'de'), renderer.templates)]);
    assert.match((await pdfText(de!.pdf)).text.join(' '), /Rechnung/);
  });

  it('Japanese labels and names are set in Noto Sans JP from npm, subset', async () => {
    const record = { ...sampleInvoiceRecord(2, 'ja'), customer: { ...sampleInvoiceRecord(2, 'ja').customer, name: '佐藤 陽翔' } };
    const [doc] = renderer.renderBatch([buildInvoiceView(record, renderer.templates)]);
    const all = squash((await pdfText(doc!.pdf)).text.join(' '));
    for (const word of ['請求書', '請求先', '佐藤陽翔', '支払期日', '合計']) assert.ok(all.includes(word), `ja: ${word}`);
    // The font files are 5 MB a weight; the PDF carries only the glyphs used.
    assert.ok(doc!.pdf.length <= 30 * 1024, `ja invoice ${doc!.pdf.length} bytes`);
    assert.match(doc!.pdf.toString('latin1'), /\/BaseFont\s*\/[A-Z]{6}\+NotoSansJP/);
  });

  it('a 2-page invoice says "Page 1 of 2" and "Page 2 of 2"; a 1-page invoice carries no page number', async () => {
    const views = [buildInvoiceView(sampleInvoiceRecord(1, 'en', 6), renderer.templates), buildInvoiceView(sampleInvoiceRecord(2, 'en', 60), renderer.templates), buildInvoiceView(sampleInvoiceRecord(3, 'de', 70), renderer.templates)];
    const [short, long, german] = renderer.renderBatch([views[0]!, views[1]!, views[2]!].slice(0, 2)).concat(renderer.renderBatch([views[2]!]));
    assert.equal(short!.pages, 1);
    assert.doesNotMatch((await pdfText(short!.pdf)).text.join(' '), /Page \d/);
    assert.equal(long!.pages, 2);
    const text = (await pdfText(long!.pdf)).text;
    assert.equal(text.length, 2);
    assert.match(text[0]!, /Page 1 of 2/);
    assert.match(text[1]!, /Page 2 of 2/);
    assert.ok(squash(text[0]!).includes(views[1]!.number), 'the second layout is still the same invoice');
    assert.match((await pdfText(german!.pdf)).text[1]!, /Seite 2 von 2/);
  });

  it('a batch is split into one PDF per document, each standalone and deterministic', async () => {
    const views = Array.from({ length: 25 }, (_, i) => buildInvoiceView(sampleInvoiceRecord(i, 'en'), renderer.templates));
    const docs = renderer.renderBatch(views);
    assert.equal(docs.length, 25);
    for (const [i, doc] of docs.entries()) {
      const { pages, text } = await pdfText(doc.pdf);
      assert.equal(pages, 1);
      assert.ok(squash(text[0]!).includes(views[i]!.number));
      assert.ok(!squash(text[0]!).includes(views[(i + 1) % 25]!.number), 'no page of another invoice');
    }
    const again = renderer.renderBatch(views);
    assert.ok(again.every((d, i) => d.pdf.equals(docs[i]!.pdf)), 'same batch, same bytes');
  });

  it('a batch of one-page invoices needs one layout; a second page anywhere in it is still split right', async () => {
    // The fast path lays a batch out once and takes page i as document i when the counts agree; a
    // document that runs onto a second page (few lines, so not guessed in advance) makes the batch
    // be laid out again with start markers. Both must give every invoice exactly its own pages.
    const dir = mkdtempSync(join(tmpdir(), 'billflow-templates-'));
    try {
      writeFileSync(join(dir, 'invoice.typ'), '#import "lib.typ": *\n#let render(doc) = setup(doc)[#doc.number #if doc.lines.len() == 5 { pagebreak(); [continued #doc.number] }]\n');
      const own = new DocumentRenderer({ templatesDir: dir });
      const views = [4, 5, 6, 7].map((lines, i) => buildInvoiceView(sampleInvoiceRecord(40 + i, 'en', lines), own.templates));
      const once = own.renderBatch([views[0]!, views[2]!, views[3]!]);
      assert.deepEqual(once.map((d) => d.pages), [1, 1, 1]);
      const mixed = own.renderBatch(views);
      assert.deepEqual(mixed.map((d) => d.pages), [1, 2, 1, 1]);
      for (const [i, doc] of mixed.entries()) {
        const { text } = await pdfText(doc.pdf);
        assert.ok(text.every((page) => squash(page).includes(views[i]!.number)), `invoice ${i} has only its own pages`);
      }
      assert.ok(mixed[0]!.pdf.equals(own.renderBatch(views)[0]!.pdf), 'same batch, same bytes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a year of statement movements is a multi-page statement with the expected page count', async () => {
    // First page 30 rows, then 46 per page (templates/loan-statement.typ).
    for (const [entries, expected] of [[10, 1], [30, 1], [31, 2], [365, 9], [420, 10]] as const) {
      const [doc] = renderer.renderBatch([buildLoanStatementView(sampleStatementRecord(1, entries, 'en'), renderer.templates)]);
      assert.equal(doc!.pages, expected, `${entries} entries`);
      const parsed = await pdfText(doc!.pdf);
      assert.equal(parsed.pages, expected);
      assert.match(parsed.text.at(-1)!, new RegExp(`Page ${expected} of ${expected}`));
      if (entries === 420) assert.ok(doc!.pdf.length <= 75 * 1024, `10-page statement ${doc!.pdf.length} bytes`);
    }
  });

  it('an edited template changes the output without a restart; a broken one names file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'billflow-templates-'));
    try {
      cpSync(join(DEFAULT_TEMPLATES_DIR, 'invoice.typ'), join(dir, 'invoice.typ'));
      const own = new DocumentRenderer({ templatesDir: dir });
      const view = () => buildInvoiceView(sampleInvoiceRecord(2, 'en'), own.templates);
      const before = own.renderBatch([view()])[0]!.pdf;
      const source = readFileSync(join(dir, 'invoice.typ'), 'utf8');
      writeFileSync(join(dir, 'invoice.typ'), source.replace('#text(size: 7pt, fill: muted, l.thanks)', '#text(size: 7pt, fill: muted)[Edited by the finance team]'));
      assert.equal(own.refreshTemplates(), true);
      const after = own.renderBatch([view()])[0]!.pdf;
      assert.ok(!after.equals(before));
      assert.ok(after.toString('latin1').length > 0);
      const broken = source.split('\n');
      broken.splice(5, 0, '  #let oops = doc.no-such-field');
      writeFileSync(join(dir, 'invoice.typ'), broken.join('\n'));
      own.refreshTemplates();
      assert.throws(() => own.renderBatch([view()]), (error: unknown) => {
        assert.ok(error instanceof BillflowError);
        assert.equal(error.code, 'template_error');
        assert.ok(error.message.includes(`${join(dir, 'invoice.typ')}:6:`), error.message);
        assert.match(error.message, /no-such-field/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('page 1 rendered to PNG is not blank', { skip: hasPdftoppm() ? false : 'pdftoppm (poppler-utils) is not installed; CI installs it' }, () => {
    const [doc] = renderer.renderBatch([buildInvoiceView(sampleInvoiceRecord(5, 'fr'), renderer.templates)]);
    const ink = inkShareOfFirstPage(doc!.pdf);
    assert.ok(ink > 0.01 && ink < 0.5, `share of dark pixels ${ink}`);
  });
});
