import type pg from 'pg';

/**
 * Bulk reads through COPY (query) TO STDOUT in Postgres' text format, parsed straight from the
 * bytes. The billing run loads hundreds of thousands of small values per shard; through the
 * driver each value became its own string (then a number, a date…) inside a row object, which
 * cost ~4× the CPU of this reader and most of the worker's garbage collection. Here integers are
 * read from the digits, dates and short codes come from small caches, and only free text is
 * decoded into new strings.
 *
 * COPY takes no bind parameters: queries are rendered with `inlineSql`, which only accepts safe
 * integers and plain strings (quoted, no backslashes).
 */

const TAB = 9;
const NEWLINE = 10;
const BACKSLASH = 92;
const DASH = 45;
const ZERO = 48;

/** Renders {text, values} with $n replaced by literals, for statements that take no parameters. */
export function inlineSql(sql: { text: string; values: unknown[] }): string {
  return sql.text.replace(/\$(\d+)/g, (_, n: string) => literal(sql.values[Number(n) - 1]));
}

function literal(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`assertion failed: inlineSql: ${value} is not a safe integer`);
    return String(value);
  }
  if (typeof value === 'string') {
    if (value.includes('\\') || value.includes('\0')) throw new Error('assertion failed: inlineSql: backslash or NUL in a string literal');
    return `'${value.replace(/'/g, "''")}'`;
  }
  throw new Error(`assertion failed: inlineSql: unsupported value ${String(value)}`);
}

/** Runs COPY (query) TO STDOUT and returns its rows as a reader. */
export async function copyOut(client: pg.PoolClient | pg.Client, query: string): Promise<CopyReader> {
  const copy = new CopyOutQuery(`copy (${query}) to stdout`);
  void client.query(copy as unknown as pg.QueryConfig);
  return new CopyReader(await copy.done);
}

/**
 * A COPY TO STDOUT as a query object of node-postgres (a "submittable"): the driver parses the
 * protocol and hands over each CopyData message (one row), whose bytes are appended to one
 * buffer. (pg-copy-streams' readable stream re-parsed the socket data and cost a few small
 * buffers per row.) The driver may reuse its read buffer, so every row is copied at once.
 */
class CopyOutQuery {
  readonly done: Promise<Buffer>;
  /** Set by node-postgres when a query timeout applies. */
  callback: ((error: Error | null) => void) | undefined;
  private buf = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  private failed = false;
  private resolve!: (bytes: Buffer) => void;
  private reject!: (error: Error) => void;

  constructor(private readonly text: string) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined); // awaited by copyOut; avoids an unhandled rejection meanwhile
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    const chunk = message.chunk;
    if (this.length + chunk.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + chunk.length));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.length += chunk.copy(this.buf, this.length);
  }

  handleError(error: Error): void {
    this.failed = true;
    this.reject(error);
    this.callback?.(error);
  }

  handleReadyForQuery(): void {
    if (this.failed) return;
    this.resolve(this.buf.subarray(0, this.length));
    this.callback?.(null);
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('not a COPY FROM');
  }
}

/** Dates repeat across rows and shards: one string per distinct day (bounded). */
const dateCache = new Map<number, string>();
const DATE_CACHE_LIMIT = 20_000;

/** Short codes (ids of plans, metrics, currencies, statuses…): one string per distinct value. */
const ATOM_MAX_BYTES = 48;
const ATOM_LIMIT = 50_000;
const atoms = new Map<number, { bytes: Buffer; value: string }[]>();
let atomCount = 0;

/**
 * Reads COPY text rows field by field: every read consumes one field and its separator; call
 * endRow() after the last field of a row. A value of the wrong shape throws: the query and the
 * reader must agree on the columns.
 */
export class CopyReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** True while rows remain. */
  more(): boolean {
    return this.pos < this.buf.length;
  }

  isNull(): boolean {
    const { buf, pos } = this;
    return buf[pos] === BACKSLASH && buf[pos + 1] === 78 && (buf[pos + 2] === TAB || buf[pos + 2] === NEWLINE);
  }

  /** Skips a null field; returns whether it was null. */
  skipNull(): boolean {
    if (!this.isNull()) return false;
    this.pos += 3;
    return true;
  }

  int(): number {
    const buf = this.buf;
    let pos = this.pos;
    let negative = false;
    if (buf[pos] === DASH) {
      negative = true;
      pos++;
    }
    const start = pos;
    let n = 0;
    for (;;) {
      const d = (buf[pos] as number) - ZERO; // NaN past the end
      if (!(d >= 0 && d <= 9)) break;
      n = n * 10 + d;
      pos++;
    }
    if (pos === start || pos - start > 16 || !Number.isSafeInteger(n)) this.fail('an integer');
    this.sep(pos);
    return negative ? -n : n;
  }

  intOrNull(): number | null {
    return this.skipNull() ? null : this.int();
  }

  bool(): boolean {
    const c = this.buf[this.pos];
    if (c !== 116 && c !== 102) this.fail('t or f');
    this.sep(this.pos + 1);
    return c === 116;
  }

  /** 'YYYY-MM-DD' (DateStyle ISO), from the cache. */
  date(): string {
    const buf = this.buf;
    const p = this.pos;
    if (buf[p + 4] !== DASH || buf[p + 7] !== DASH) this.fail('a date YYYY-MM-DD');
    let key = 0;
    for (let k = 0; k < 8; k++) {
      const d = (buf[p + (DATE_DIGITS[k] as number)] as number) - ZERO;
      if (!(d >= 0 && d <= 9)) this.fail('a date YYYY-MM-DD');
      key = key * 10 + d;
    }
    let value = dateCache.get(key);
    if (value === undefined) {
      value = buf.toString('latin1', p, p + 10);
      if (dateCache.size >= DATE_CACHE_LIMIT) dateCache.clear();
      dateCache.set(key, value);
    }
    this.sep(p + 10);
    return value;
  }

  dateOrNull(): string | null {
    return this.skipNull() ? null : this.date();
  }

  /** Free text, decoded into a new string. */
  text(): string {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let escaped = false;
    for (;;) {
      const c = buf[pos];
      if (c === TAB || c === NEWLINE || c === undefined) break;
      if (c === BACKSLASH) {
        escaped = true;
        pos++;
      }
      pos++;
    }
    const value = escaped ? unescape(buf, start, pos) : buf.toString('utf8', start, pos);
    this.sep(pos);
    return value;
  }

  textOrNull(): string | null {
    return this.skipNull() ? null : this.text();
  }

  /** A short code from a small vocabulary (plan ids, currencies, statuses): shared strings. */
  atom(): string {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let hash = 0x811c9dc5;
    for (;;) {
      const c = buf[pos] as number | undefined;
      if (c === TAB || c === NEWLINE || c === undefined) break;
      if (c === BACKSLASH || pos - start >= ATOM_MAX_BYTES) return this.text(); // not atom-shaped
      hash = Math.imul(hash ^ c, 0x01000193);
      pos++;
    }
    const length = pos - start;
    const bucket = atoms.get(hash);
    if (bucket !== undefined) {
      for (let e = 0; e < bucket.length; e++) {
        const entry = bucket[e]!;
        if (sameBytes(entry.bytes, buf, start, length)) {
          this.sep(pos);
          return entry.value;
        }
      }
    }
    const value = buf.toString('utf8', start, pos);
    if (atomCount < ATOM_LIMIT) {
      const entry = { bytes: Buffer.from(buf.subarray(start, pos)), value };
      if (bucket === undefined) atoms.set(hash, [entry]);
      else bucket.push(entry);
      atomCount++;
    }
    this.sep(pos);
    return value;
  }

  atomOrNull(): string | null {
    return this.skipNull() ? null : this.atom();
  }

  /** Checks that the row ended where the reader thinks it did. */
  endRow(): void {
    if (this.buf[this.pos - 1] !== NEWLINE) this.fail('the end of the row');
  }

  /** Consumes the separator at `pos`. */
  private sep(pos: number): void {
    const c = this.buf[pos];
    if (c !== TAB && c !== NEWLINE) this.fail('a field separator');
    this.pos = pos + 1;
  }

  private fail(expected: string): never {
    const near = this.buf.toString('utf8', this.pos, Math.min(this.buf.length, this.pos + 40));
    throw new Error(`assertion failed: COPY reader expected ${expected} at byte ${this.pos}, near ${JSON.stringify(near)}`);
  }
}

const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];

/** A byte loop: for the few bytes of a code it beats Buffer.compare's call overhead. */
function sameBytes(bytes: Buffer, buf: Buffer, start: number, length: number): boolean {
  if (bytes.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}

/** Decodes backslash escapes of COPY text (the output side only writes \\ \b \f \n \r \t \v). */
function unescape(buf: Buffer, start: number, end: number): string {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    let c = buf[i] as number;
    if (c === BACKSLASH && i + 1 < end) {
      const e = buf[++i] as number;
      c = e === 110 ? 10 : e === 116 ? 9 : e === 114 ? 13 : e === 98 ? 8 : e === 102 ? 12 : e === 118 ? 11 : e;
    }
    out[o++] = c;
  }
  return out.toString('utf8', 0, o);
}
