/**
 * Renders the currencies block of migration 0002_reference_data.sql from the ISO 4217 table in
 * src/money/currencies.ts, so the database and the code agree on every code and exponent
 * (reference-sql.test.ts fails when they drift). Regenerate after editing the TS table:
 *
 *   node --import tsx src/seed/reference-sql.ts --write
 *
 * Migrations are forward-only: once 0002 has shipped, a changed table needs a new migration
 * (insert … on conflict do update) rather than a rewrite of this block.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CURRENCIES, type CurrencyRow } from '../money/currencies.ts';

export const BEGIN_MARKER = '-- BEGIN GENERATED currencies (src/seed/reference-sql.ts from src/money/currencies.ts)';
export const END_MARKER = '-- END GENERATED currencies';

export const REFERENCE_MIGRATION_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'db',
  'migrations',
  '0002_reference_data.sql',
);

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function renderCurrencyInsert(rows: readonly CurrencyRow[] = CURRENCIES): string {
  const values = [...rows]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((c) => `  (${sqlString(c.code)}, ${c.exponent}, ${sqlString(c.name)})`);
  return [
    BEGIN_MARKER,
    'insert into currencies (code, exponent, name) values',
    values.join(',\n'),
    'on conflict (code) do update set exponent = excluded.exponent, name = excluded.name;',
    END_MARKER,
  ].join('\n');
}

/** The generated block as it currently stands in the migration file. */
export function extractCurrencyBlock(sql: string): string | null {
  const start = sql.indexOf(BEGIN_MARKER);
  const end = sql.indexOf(END_MARKER);
  if (start < 0 || end < start) return null;
  return sql.slice(start, end + END_MARKER.length);
}

/** Parses `('USD', 2, 'US Dollar')` tuples back out of the SQL (names may contain '' escapes). */
export function parseCurrencyTuples(sql: string): CurrencyRow[] {
  const out: CurrencyRow[] = [];
  const re = /\('([A-Z]{3})', (\d), '((?:[^']|'')*)'\)/g;
  for (const m of sql.matchAll(re)) {
    out.push({ code: m[1] as string, exponent: Number(m[2]), name: (m[3] as string).replace(/''/g, "'") });
  }
  return out;
}

function writeBlock(): void {
  const sql = readFileSync(REFERENCE_MIGRATION_PATH, 'utf8');
  const current = extractCurrencyBlock(sql);
  if (current === null) throw new Error(`markers not found in ${REFERENCE_MIGRATION_PATH}`);
  writeFileSync(REFERENCE_MIGRATION_PATH, sql.replace(current, () => renderCurrencyInsert()));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--write')) writeBlock();
  else process.stdout.write(renderCurrencyInsert() + '\n');
}
