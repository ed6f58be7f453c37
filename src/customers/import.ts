/**
 * Bulk customer import, all-or-nothing per call. Rows (objects: parsing NDJSON or CSV is the
 * caller's job) are validated one by one as they stream in and COPYed into a temporary staging
 * table; then e-mails and external ids are checked against each other and against existing
 * customers with one query, and the staging rows are inserted into customers. Any bad row rolls
 * the whole call back and is reported as 'line N: field' (the first 100 bad rows).
 *
 * Why a staging table: COPY straight into customers stops at the first duplicate and cannot say
 * which line it was; the staging table lets one query report every duplicate by line.
 */
import type pg from 'pg';
import { copyRows, type CopyCell } from '../db/copy.ts';
import { BillflowError, type ErrorDetail } from '../errors.ts';
import { CUSTOMER_FIELDS, IMPORT_STAGING_COLUMNS, IMPORT_STAGING_TABLE, customersSql, importSql } from './customers-sql.ts';
import { customerConflicts } from './customers.ts';
import { run, type Deps } from './deps.ts';
import { createCustomerSchema, type CreateCustomerValues } from './schemas.ts';
import { checkInput } from './validation.ts';

/** Bad rows reported in one error; the count of all bad rows is in the message. */
export const MAX_REPORTED_ROWS = 100;
export const DEFAULT_MAX_IMPORT_ROWS = 1_000_000;

export interface ImportOptions {
  /** Line number of the first row, for messages (2 for a CSV with a header line). Default 1. */
  firstLineNumber?: number;
  /** Refuse inputs longer than this (the whole call is one transaction). Default 1,000,000. */
  maxRows?: number;
}

export interface ImportResult {
  imported: number;
}

interface References {
  taxRegions: ReadonlySet<string>;
  legalEntities: ReadonlySet<string>;
}

async function loadReferences(client: pg.PoolClient): Promise<References> {
  const row = (await run<{ tax_regions: string[]; legal_entities: string[] }>(client, customersSql.referenceCodes())).rows[0]!;
  return { taxRegions: new Set(row.tax_regions), legalEntities: new Set(row.legal_entities) };
}

type RowCheck = { ok: true; values: CreateCustomerValues } | { ok: false; details: ErrorDetail[] };

function checkRow(raw: unknown, refs: References): RowCheck {
  const parsed = checkInput(createCustomerSchema, raw);
  if (!parsed.ok) return parsed;
  const values = parsed.value;
  const details: ErrorDetail[] = [];
  if (values.taxRegion != null && !refs.taxRegions.has(values.taxRegion)) {
    details.push({ field: 'taxRegion', message: `unknown tax region '${values.taxRegion}'` });
  }
  if (!refs.legalEntities.has(values.legalEntityId)) {
    details.push({ field: 'legalEntityId', message: `unknown legal entity '${values.legalEntityId}'` });
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, values };
}

function toCells(line: number, values: CreateCustomerValues): CopyCell[] {
  const cells: CopyCell[] = [line];
  for (const field of CUSTOMER_FIELDS) cells.push((values[field] ?? null) as CopyCell);
  return cells;
}

/** Validation state while the rows stream past. */
class RowReport {
  line: number;
  rows = 0;
  badRows = 0;
  readonly details: ErrorDetail[] = [];

  constructor(firstLineNumber: number) {
    this.line = firstLineNumber - 1;
  }

  bad(details: readonly ErrorDetail[]): void {
    this.badRows++;
    if (this.badRows > MAX_REPORTED_ROWS) return;
    for (const d of details) this.details.push({ field: `line ${this.line}: ${d.field}`, message: d.message });
  }

  error(code: string, httpStatus: number, what: string): BillflowError {
    const first = this.details[0];
    const shown = first === undefined ? '' : `; first: ${first.field}: ${first.message}`;
    const message = `${this.badRows} ${what} row(s), nothing imported${shown}`;
    return new BillflowError(code, message, { httpStatus, details: this.details });
  }
}

async function* validRows(
  rows: AsyncIterable<unknown> | Iterable<unknown>,
  refs: References,
  report: RowReport,
  maxRows: number,
): AsyncGenerator<CopyCell[]> {
  for await (const raw of rows) {
    report.line++;
    report.rows++;
    if (report.rows > maxRows) return;
    const checked = checkRow(raw, refs);
    if (!checked.ok) report.bad(checked.details);
    // After the first bad row nothing more is sent (it will be rolled back); validation goes on.
    else if (report.badRows === 0) yield toCells(report.line, checked.values);
  }
}

async function reportConflicts(client: pg.PoolClient, report: RowReport): Promise<void> {
  const sql = importSql.conflicts(MAX_REPORTED_ROWS);
  const rows = (await run<{ line: number; field: string; first_line: number; existing: boolean }>(client, sql)).rows;
  for (const row of rows) {
    report.line = row.line;
    const what = row.field === 'email' ? 'e-mail' : 'external id';
    const message = row.existing ? `a customer with this ${what} already exists` : `same ${what} as line ${row.first_line}`;
    report.bad([{ field: row.field, message }]);
  }
}

export async function importCustomers(
  deps: Deps,
  rows: AsyncIterable<unknown> | Iterable<unknown>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const report = new RowReport(options.firstLineNumber ?? 1);
  const maxRows = options.maxRows ?? DEFAULT_MAX_IMPORT_ROWS;
  const client = await deps.db.connect();
  try {
    await client.query('begin');
    const refs = await loadReferences(client);
    await run(client, importSql.createStaging());
    await copyRows(client, IMPORT_STAGING_TABLE, IMPORT_STAGING_COLUMNS, validRows(rows, refs, report, maxRows));
    if (report.rows > maxRows) {
      throw new BillflowError('invalid_input', `more than ${maxRows} rows in one import`, {
        details: [{ field: 'rows', message: `at most ${maxRows} rows per import; split the file` }],
      });
    }
    if (report.badRows > 0) throw report.error('invalid_input', 400, 'invalid');
    await run(client, importSql.analyzeStaging());
    await reportConflicts(client, report);
    if (report.badRows > 0) throw report.error('conflict', 409, 'conflicting');
    const inserted = await run(client, importSql.insertFromStaging());
    await client.query('commit');
    return { imported: inserted.rowCount ?? 0 };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    // A concurrent createCustomer can still take an e-mail between the check and the insert.
    throw customerConflicts(error);
  } finally {
    client.release();
  }
}
