import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyReader, inlineSql } from './copy-out.ts';

const reader = (text: string) => new CopyReader(Buffer.from(text, 'utf8'));

test('CopyReader reads integers, nulls, booleans, dates, codes and text field by field', () => {
  const r = reader('1\t-42\t\\N\tt\t2026-11-05\t\\N\tUSD\tPro plan — Seats\n9007199254740991\t0\tf\t2026-12-01\tIN-MH\tend\n');
  assert.equal(r.more(), true);
  assert.deepEqual([r.int(), r.int(), r.intOrNull(), r.bool(), r.date(), r.dateOrNull(), r.atom(), r.text()], [1, -42, null, true, '2026-11-05', null, 'USD', 'Pro plan — Seats']);
  r.endRow();
  assert.deepEqual([r.int(), r.intOrNull(), r.bool(), r.dateOrNull(), r.atomOrNull(), r.textOrNull()], [9007199254740991, 0, false, '2026-12-01', 'IN-MH', 'end']);
  r.endRow();
  assert.equal(r.more(), false);
});

test('CopyReader decodes escapes, and shares strings for codes and dates', () => {
  const r = reader('a\\tb\\\\c\\nd\tx\\\\y\tplan_pro\t2026-01-31\nplan_pro\t2026-01-31\n');
  assert.equal(r.text(), 'a\tb\\c\nd');
  assert.equal(r.atom(), 'x\\y'); // escaped: read as text
  const first = r.atom();
  const day = r.date();
  r.endRow();
  assert.equal(r.atom(), first);
  assert.equal(r.date(), day);
  r.endRow();
});

test('CopyReader rejects a value of the wrong shape instead of misreading it', () => {
  assert.throws(() => reader('12x\n').int(), /expected a field separator/);
  assert.throws(() => reader('\t\n').int(), /expected an integer/);
  assert.throws(() => reader('99999999999999999\n').int(), /expected an integer/);
  assert.throws(() => reader('2026/11/05\n').date(), /expected a date/);
  assert.throws(() => reader('x\n').bool(), /expected t or f/);
  const r = reader('1\t2\n');
  r.int();
  assert.throws(() => r.endRow(), /expected the end of the row/);
});

test('inlineSql renders integers and quoted strings, and refuses anything else', () => {
  assert.equal(inlineSql({ text: 'select $1, $2, $10', values: [1, "it's", 3, 4, 5, 6, 7, 8, 9, -10] }), "select 1, 'it''s', -10");
  assert.throws(() => inlineSql({ text: '$1', values: [1.5] }), /safe integer/);
  assert.throws(() => inlineSql({ text: '$1', values: ['a\\b'] }), /backslash/);
  assert.throws(() => inlineSql({ text: '$1', values: [null] }), /unsupported/);
});
