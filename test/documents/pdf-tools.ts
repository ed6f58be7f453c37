import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Text and page count of a PDF through pdf.js (pure JS: the tests need nothing but Node). */
export async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string[] }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, verbosity: 0 }).promise;
  const text: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    text.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  await doc.destroy();
  return { pages: doc.numPages, text };
}

export function hasPdftoppm(): boolean {
  return spawnSync('pdftoppm', ['-v'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Page 1 rendered by poppler's pdftoppm: as PNG (kept for people to look at) and as a grey
 * PGM whose pixels are counted. Returns the share of pixels darker than near-white.
 */
export function inkShareOfFirstPage(pdf: Buffer, pngOut?: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'billflow-ppm-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    const png = spawnSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', '-png', '-singlefile', join(dir, 'in.pdf'), pngOut ?? join(dir, 'page')]);
    if (png.status !== 0) throw new Error(`pdftoppm failed: ${png.stderr}`);
    const pgm = spawnSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', '-gray', '-singlefile', join(dir, 'in.pdf'), join(dir, 'page')]);
    if (pgm.status !== 0) throw new Error(`pdftoppm failed: ${pgm.stderr}`);
    const bytes = readFileSync(join(dir, 'page.pgm'));
    // P5 header: magic, width, height, maxval, each followed by whitespace.
    let at = 0;
    const fields: number[] = [];
    while (fields.length < 4) {
      while (/\s/.test(String.fromCharCode(bytes[at]!))) at++;
      let end = at;
      while (!/\s/.test(String.fromCharCode(bytes[end]!))) end++;
      fields.push(fields.length === 0 ? 0 : Number(bytes.toString('latin1', at, end)));
      at = end;
    }
    const pixels = bytes.subarray(at + 1);
    let dark = 0;
    for (const v of pixels) if (v < 200) dark++;
    return dark / pixels.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
