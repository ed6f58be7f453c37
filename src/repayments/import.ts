import { parse as parseCsv } from 'csv-parse/sync';
import { BillflowError, type ErrorDetail } from '../errors.ts';
import { repaymentSchema, type RepaymentInput } from './schemas.ts';
import { ingestRepayment, type RepaymentDeps, type RepaymentResult } from './ingest.ts';

/** Bad rows reported at most (the import is refused as a whole). */
const MAX_REPORTED_ERRORS = 100;

const CSV_COLUMNS: Record<string, keyof RepaymentInput> = {
  customer_id: 'customerId', amount_minor: 'amountMinor', currency: 'currency', channel: 'channel',
  external_ref: 'externalRef', received_at: 'receivedAt', loan_id: 'loanId',
};

/**
 * Parses a repayment file — NDJSON (one JSON object per line, camelCase fields) or CSV with a
 * header (customer_id, amount_minor, currency, channel, external_ref, received_at, loan_id) —
 * and validates every row before anything is written: one bad row refuses the file, naming the
 * line and the field.
 */
export function parseRepaymentFile(text: string, format: 'csv' | 'ndjson'): RepaymentInput[] {
  const rows: { line: number; value: unknown }[] = [];
  if (format === 'ndjson') {
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      try {
        rows.push({ line: i + 1, value: JSON.parse(raw) });
      } catch {
        rows.push({ line: i + 1, value: Symbol('invalid json') });
      }
    });
  } else {
    const records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
    records.forEach((rec, i) => {
      const out: Record<string, unknown> = {};
      for (const [col, value] of Object.entries(rec)) {
        const field = CSV_COLUMNS[col.toLowerCase()];
        if (!field) out[col] = value; // reported as an unknown field by the strict schema
        else if (value === '') continue;
        else out[field] = ['customerId', 'amountMinor', 'loanId'].includes(field) && /^-?\d+$/.test(value) ? Number(value) : value;
      }
      rows.push({ line: i + 2, value: out });
    });
  }
  const errors: ErrorDetail[] = [];
  const parsed: RepaymentInput[] = [];
  for (const { line, value } of rows) {
    if (typeof value === 'symbol') {
      errors.push({ field: `line ${line}`, message: 'not valid JSON' });
      continue;
    }
    const r = repaymentSchema.safeParse(value);
    if (r.success) parsed.push(r.data);
    else for (const issue of r.error.issues) errors.push({ field: `line ${line}: ${issue.path.join('.') || '(row)'}`, message: issue.message });
  }
  if (errors.length > 0) {
    throw new BillflowError('invalid_input', `${errors.length} problem(s) in the repayment file; nothing was imported`, { details: errors.slice(0, MAX_REPORTED_ERRORS) });
  }
  return parsed;
}

export interface ImportSummary {
  rows: number;
  accepted: number;
  duplicates: number;
  appliedMinor: number;
  excessMinor: number;
  /** Customer credit applied to open invoices after the repayments (src/payments/credit). */
  creditAppliedMinor: number;
  results: RepaymentResult[];
}

/** Imports validated rows, each in its own transaction (a repeated file is all duplicates). */
export async function importRepayments(deps: RepaymentDeps, rows: RepaymentInput[], source: string, onResult?: (r: RepaymentResult) => Promise<void>): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: rows.length, accepted: 0, duplicates: 0, appliedMinor: 0, excessMinor: 0, creditAppliedMinor: 0, results: [] };
  for (const row of rows) {
    const r = await ingestRepayment(deps, row, source);
    if (r.status === 'accepted') summary.accepted++;
    else summary.duplicates++;
    summary.appliedMinor += r.appliedMinor;
    summary.excessMinor += r.excessMinor;
    summary.creditAppliedMinor += r.creditAppliedMinor;
    summary.results.push(r);
    if (onResult) await onResult(r);
  }
  return summary;
}
