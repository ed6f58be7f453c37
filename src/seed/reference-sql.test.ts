import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CURRENCIES } from '../money/currencies.ts';
import { PLANS, COUPONS } from './catalog.ts';
import { MARKETS } from './geography.ts';
import {
  REFERENCE_MIGRATION_PATH,
  extractCurrencyBlock,
  parseCurrencyTuples,
  renderCurrencyInsert,
} from './reference-sql.ts';

const sql = readFileSync(REFERENCE_MIGRATION_PATH, 'utf8');

test('the migration currencies block is exactly what src/money/currencies.ts renders', () => {
  const block = extractCurrencyBlock(sql);
  assert.ok(block, 'generated currencies block not found in 0002_reference_data.sql');
  assert.equal(block, renderCurrencyInsert(CURRENCIES), 'regenerate: node --import tsx src/seed/reference-sql.ts --write');
});

test('every ISO 4217 row of the TS table is in the SQL with the same exponent and name, and nothing else', () => {
  const parsed = parseCurrencyTuples(extractCurrencyBlock(sql) ?? '');
  const key = (c: { code: string; exponent: number; name: string }): string => `${c.code}|${c.exponent}|${c.name}`;
  assert.deepEqual(parsed.map(key).sort(), CURRENCIES.map(key).sort());
  assert.ok(parsed.length >= 150, `only ${parsed.length} currencies`);
  const byCode = new Map(parsed.map((c) => [c.code, c.exponent]));
  // The exponents billing relies on most.
  assert.deepEqual(
    ['USD', 'EUR', 'INR', 'GBP', 'JPY', 'KWD', 'BHD', 'CLF'].map((c) => byCode.get(c)),
    [2, 2, 2, 2, 0, 3, 3, 4],
  );
});

test('names with quotes survive the round trip', () => {
  const rows = [{ code: 'XQQ', exponent: 2, name: "Pa'anga d''or" }];
  assert.deepEqual(parseCurrencyTuples(renderCurrencyInsert(rows)), rows);
});

test('every region, entity and currency the seed uses is defined by the reference data', () => {
  for (const market of Object.values(MARKETS)) {
    for (const region of market.regions.shares().keys()) {
      assert.match(sql, new RegExp(`\\('${region}', '${market.country}', `), `tax region ${region} (${market.country})`);
    }
    assert.match(sql, new RegExp(`\\('${market.entityId}', 'Billflow `), `legal entity ${market.entityId}`);
  }
  const codes = new Set(CURRENCIES.map((c) => c.code));
  for (const plan of PLANS) for (const c of plan.currencies) assert.ok(codes.has(c), c);
  for (const coupon of COUPONS) if (coupon.currency) assert.ok(codes.has(coupon.currency), coupon.currency);
});
