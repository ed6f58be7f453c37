/**
 * POST /api/v1/customers/import: NDJSON (one customer object per line) or CSV (a header line of
 * field names, then one customer per line), streamed from the socket into importCustomers
 * (validation per row, COPY through a staging table, all or nothing). Nothing is buffered
 * whole: memory stays flat for a million rows.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv, CsvError } from 'csv-parse';
import { z } from 'zod';
import { BillflowError } from '../../errors.ts';
import { createCustomerSchema, importCustomers } from '../../customers/index.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH, mediaTypeOf, STREAM_CONTENT_TYPES } from '../body.ts';
import { defineRoute } from '../route.ts';
import { libraryDeps } from './common.ts';

const MAX_LINE_BYTES = 1_048_576;
const FIELDS = Object.keys(createCustomerSchema.shape);
const NUMERIC_FIELDS = new Set(['billingAnchorDay']);
const JSON_FIELDS = new Set(['metadata']);

function lineError(code: string, line: number, message: string): BillflowError {
  return new BillflowError(code, `line ${line}: ${message}`, { details: [{ field: `line ${line}`, message }] });
}

function parseLine(text: string, line: number): unknown {
  const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (trimmed.trim() === '') throw lineError('invalid_json', line, 'empty line (one JSON object per line)');
  if (jsonDepthExceeds(trimmed, MAX_JSON_DEPTH)) throw lineError('invalid_json', line, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(trimmed);
  } catch {
    throw lineError('invalid_json', line, 'not valid JSON');
  }
}

/** One JSON value per line; a final line without a newline counts, a trailing newline does not. */
export async function* ndjsonRows(stream: Readable): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  let line = 0;
  for await (const chunk of stream) {
    buffered += decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n', start)) {
      line++;
      yield parseLine(buffered.slice(start, nl), line);
      start = nl + 1;
    }
    buffered = buffered.slice(start);
    if (buffered.length > MAX_LINE_BYTES) throw lineError('invalid_json', line + 1, `longer than ${MAX_LINE_BYTES} bytes`);
  }
  buffered += decoder.end();
  if (buffered.trim() !== '') yield parseLine(buffered, line + 1);
}

function checkHeader(columns: string[]): string[] {
  const unknown = columns.filter((c) => !FIELDS.includes(c));
  const seen = new Set<string>();
  const repeated = columns.filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
  const details = [
    ...unknown.map((c) => ({ field: `header: ${c}`, message: `unknown column (expected some of: ${FIELDS.join(', ')})` })),
    ...repeated.map((c) => ({ field: `header: ${c}`, message: 'repeated column' })),
  ];
  if (details.length > 0) throw new BillflowError('invalid_csv', `line 1: ${details[0]!.field.slice(8)}: ${details[0]!.message}`, { details });
  return columns;
}

/** CSV cells are text: '' is "absent", numbers and JSON columns are read as such. */
function csvRecord(record: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, cell] of Object.entries(record)) {
    if (cell === '') continue;
    if (NUMERIC_FIELDS.has(field) && /^\d{1,9}$/.test(cell)) out[field] = Number(cell);
    else if (JSON_FIELDS.has(field)) {
      try {
        out[field] = JSON.parse(cell);
      } catch {
        out[field] = cell; // the schema reports it as not an object
      }
    } else out[field] = cell;
  }
  return out;
}

export async function* csvRows(stream: Readable): AsyncGenerator<unknown> {
  const parser = stream.pipe(parseCsv({ columns: checkHeader, bom: true, max_record_size: MAX_LINE_BYTES, skip_empty_lines: true }));
  stream.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of parser) yield csvRecord(record as Record<string, string>);
  } catch (error) {
    if (error instanceof CsvError) {
      const line = Number((error as CsvError & { lines?: number }).lines ?? 0);
      throw lineError('invalid_csv', line, error.message.replace(/^Invalid[^:]*: /, ''));
    }
    throw error;
  }
}

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}

const example = '{"name":"Asha Rao","email":"asha@example.com","currency":"INR","country":"IN","taxRegion":"IN-KA","legalEntityId":"in"}\n';

export const customerImportRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/customers/import', scope: 'write', tag: 'Customers', operationId: 'importCustomers',
    summary: 'Bulk import customers from NDJSON or CSV (streamed; all or nothing)',
    description:
      'Each row has the fields of createCustomer. NDJSON: one object per line. CSV: a header line naming the fields ' +
      '(name,email,currency,country,taxRegion,legalEntityId,…), then one customer per line; empty cells are absent, ' +
      'metadata is a JSON object. Any bad or conflicting row rolls back the whole import and is reported as ' +
      "'line N: field' (the first 100 rows). At most 1,000,000 rows and api.importLimitBytes per request.",
    streamBody: {
      'application/x-ndjson': { schema: { type: 'string', description: 'one customer JSON object per line' }, example },
      'text/csv': { schema: { type: 'string', description: 'header line, then one customer per line' }, example: 'name,email,currency,country,taxRegion,legalEntityId\nAsha Rao,asha@example.com,INR,IN,IN-KA,in\n' },
    },
    status: 201, errors: [409, 415],
    response: { description: 'How many customers were imported', schema: z.object({ imported: z.int() }) },
    async handler(deps, _input, request, reply) {
      const type = mediaTypeOf(request);
      const body = request.body;
      if (!(body instanceof Readable) || !(STREAM_CONTENT_TYPES as readonly string[]).includes(type)) {
        const message = `send application/x-ndjson or text/csv, not '${type || 'nothing'}'`;
        throw new BillflowError('unsupported_media_type', message, { httpStatus: 415, details: [{ field: 'content-type', message }] });
      }
      const stored = await request.server.idempotency.claimDeferred(request, reply);
      if (stored !== null) {
        await drain(body);
        return request.server.idempotency.answerDeferred(stored, request, reply);
      }
      const csv = type === 'text/csv';
      const result = await importCustomers(libraryDeps(deps), csv ? csvRows(body) : ndjsonRows(body), { firstLineNumber: csv ? 2 : 1 });
      return { imported: result.imported };
    },
  }),
];
