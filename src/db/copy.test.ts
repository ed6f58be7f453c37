import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyWriter, encodeCopyRow, type CopyCell } from './copy.ts';

/** The bytes as a hex string: compared byte for byte (lone surrogates become U+FFFD on both sides). */
function written(rows: CopyCell[][], chunkBytes?: number): string {
  const chunks: Buffer[] = [];
  const w = new CopyWriter((chunk) => chunks.push(Buffer.from(chunk)), chunkBytes);
  for (const row of rows) {
    for (const cell of row) w.cell(cell);
    w.endRow();
  }
  w.finish();
  return Buffer.concat(chunks).toString('hex');
}

const bytes = (text: string) => Buffer.from(text, 'utf8').toString('hex');

const rows: CopyCell[][] = [
  [0, 1, -1, 9, 10, 99, 100, 2147483647, -2147483647, 2147483648, -2147483648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
  ['', 'plain', 'tab\there', 'new\nline', 'cr\rx', 'back\\slash', '\\N', 'Pro plan — Seats (3/30 days)', 'ü\tö\\', '日本語', '😀 emoji', 'lone \ud800 surrogate', 'end \udc00', 'ß£€'],
  [null, true, false, 12n, { a: 'x\ty', b: [1, 2] }, 1.5, -0.25],
];

test('CopyWriter writes what encodeCopyRow writes, cell for cell', () => {
  assert.equal(written(rows), bytes(rows.map(encodeCopyRow).join('')));
});

test('CopyWriter splits into chunks anywhere and still concatenates to the same bytes', () => {
  const many = Array.from({ length: 200 }, (_, i) => [i, `row ${i} — ü`, null, -i * 1000]);
  const expected = bytes(many.map(encodeCopyRow).join(''));
  for (const size of [4, 7, 16, 100, 4096]) assert.equal(written(many, size), expected);
});

test('CopyWriter parts build one cell; partInt writes digits without a separator', () => {
  const chunks: Buffer[] = [];
  const w = new CopyWriter((chunk) => chunks.push(Buffer.from(chunk)), 8);
  w.int(7);
  w.part('{"a":');
  w.partInt(-42);
  w.part(',"b":"x\\y"}');
  w.cellEnd();
  w.endRow();
  w.finish();
  assert.equal(Buffer.concat(chunks).toString(), '7\t{"a":-42,"b":"x\\\\y"}\n');
  assert.equal(w.rows, 1);
});
