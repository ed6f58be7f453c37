import { once } from 'node:events';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

/**
 * Bulk writes through COPY ... FROM STDIN in Postgres' text format. This file owns escaping:
 * null → \N; strings are escaped for backslash, tab, newline and carriage return; objects are
 * JSON-encoded (for json/jsonb columns).
 *
 * Two ways in: `copyRows` takes rows as arrays of already-typed cells (any caller), and
 * `copyWith` hands a CopyWriter to a function that writes the cells itself — the billing run's
 * path, which writes millions of cells straight into byte buffers: no array per row, no string
 * per cell, no concatenated text to re-encode (the string path cost ~3× the floor's encoding
 * time, most of it garbage collection).
 */
export type CopyCell = string | number | bigint | boolean | null | object;

const NEEDS_ESCAPE = /[\\\t\n\r]/;
/** Bytes handed to the stream at a time (one CopyData message each). */
const CHUNK_BYTES = 256 * 1024;
const TAB = 9;
const NEWLINE = 10;
const BACKSLASH = 92;

export function encodeCopyCell(cell: CopyCell): string {
  if (cell === null) return '\\N';
  switch (typeof cell) {
    case 'number':
      return String(cell);
    case 'string':
      return NEEDS_ESCAPE.test(cell) ? escapeText(cell) : cell;
    case 'bigint':
      return cell.toString();
    case 'boolean':
      return cell ? 't' : 'f';
    default:
      return escapeText(JSON.stringify(cell));
  }
}

function escapeText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r',
  );
}

export function encodeCopyRow(row: readonly CopyCell[]): string {
  let line = encodeCopyCell(row[0] as CopyCell);
  for (let i = 1; i < row.length; i++) line += '\t' + encodeCopyCell(row[i] as CopyCell);
  return line + '\n';
}

/**
 * Writes COPY text cells into byte buffers. Every cell method writes the cell and a tab;
 * endRow() turns the last tab into the newline. Full buffers go to `sink` as they fill (a chunk
 * boundary may fall inside a row: COPY data is a byte stream).
 */
export class CopyWriter {
  private buf: Buffer;
  private pos = 0;
  rows = 0;

  constructor(
    private readonly sink: (chunk: Buffer) => void,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** A safe integer (money, ids, counts). */
  int(n: number): void {
    if (this.pos + 24 > this.buf.length) this.spill(24);
    const buf = this.buf;
    let pos = this.pos;
    if (n < 0) {
      if (n < -0x7fffffff || !Number.isInteger(n)) return this.ascii(String(n));
      buf[pos++] = 45; // '-'
      n = -n;
    } else if (n > 0x7fffffff || !Number.isInteger(n)) {
      return this.ascii(String(n)); // rare: large or fractional; String() is exact for both
    }
    // Digits of a 31-bit integer, written from the last one back.
    const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6
      : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
    let at = pos + digits;
    this.pos = at + 1;
    buf[at] = TAB;
    do {
      const q = (n / 10) | 0;
      buf[--at] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
  }

  /** Any string, escaped for COPY text and encoded as UTF-8. */
  text(s: string): void {
    const n = s.length;
    // Worst case: 3 UTF-8 bytes per UTF-16 unit (an escape takes 2 bytes for 1 unit).
    if (this.pos + n * 3 + 1 > this.buf.length) this.spill(n * 3 + 1);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        // UTF-8 by hand: descriptions like 'Pro plan — Seats' are on most lines.
        if (c < 0x800) {
          buf[pos++] = 0xc0 | (c >> 6);
          buf[pos++] = 0x80 | (c & 63);
        } else if (c < 0xd800 || c > 0xdfff) {
          buf[pos++] = 0xe0 | (c >> 12);
          buf[pos++] = 0x80 | ((c >> 6) & 63);
          buf[pos++] = 0x80 | (c & 63);
        } else {
          const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (d >= 0xdc00 && d <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            buf[pos++] = 0xf0 | (cp >> 18);
            buf[pos++] = 0x80 | ((cp >> 12) & 63);
            buf[pos++] = 0x80 | ((cp >> 6) & 63);
            buf[pos++] = 0x80 | (cp & 63);
            i++;
          } else {
            buf[pos++] = 0xef; // a lone surrogate becomes U+FFFD, as Buffer.from does
            buf[pos++] = 0xbf;
            buf[pos++] = 0xbd;
          }
        }
      } else if (c === BACKSLASH || c === TAB || c === NEWLINE || c === 13) {
        buf[pos++] = BACKSLASH;
        buf[pos++] = c === BACKSLASH ? BACKSLASH : c === TAB ? 116 : c === NEWLINE ? 110 : 114; // \\ \t \n \r
      } else {
        buf[pos++] = c;
      }
    }
    buf[pos] = TAB;
    this.pos = pos + 1;
  }

  /**
   * Text that recurs on many rows (kinds, codes, dates): encoded once, then copied as bytes.
   * Unbounded input (free text) goes through text().
   */
  cached(s: string): void {
    let bytes = encodedCache.get(s);
    if (bytes === undefined) {
      bytes = encodeCell(s);
      if (encodedCache.size >= ENCODED_CACHE_LIMIT) encodedCache.clear();
      encodedCache.set(s, bytes);
    }
    this.bytes(bytes);
  }

  cachedOrNull(s: string | null): void {
    if (s === null) this.nul();
    else this.cached(s);
  }

  /** Bytes already in COPY text form (from encodeCell), as one cell. */
  bytes(bytes: Uint8Array): void {
    this.bytesPart(bytes);
    this.buf[this.pos++] = TAB;
  }

  /** Bytes already in COPY text form, as a piece of a cell (see part()). */
  bytesPart(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n + 1 > this.buf.length) this.spill(n + 1);
    const buf = this.buf;
    let pos = this.pos;
    if (n > 24) {
      buf.set(bytes, pos); // a memcpy beats the loop past a few dozen bytes
      this.pos = pos + n;
      return;
    }
    for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
    this.pos = pos;
  }

  /** A string or null. */
  textOrNull(s: string | null): void {
    if (s === null) this.nul();
    else this.text(s);
  }

  nul(): void {
    if (this.pos + 3 > this.buf.length) this.spill(3);
    this.buf[this.pos++] = BACKSLASH;
    this.buf[this.pos++] = 78; // N
    this.buf[this.pos++] = TAB;
  }

  bool(b: boolean): void {
    if (this.pos + 2 > this.buf.length) this.spill(2);
    this.buf[this.pos++] = b ? 116 : 102; // t / f
    this.buf[this.pos++] = TAB;
  }

  /** Any cell of copyRows' kinds. */
  cell(cell: CopyCell): void {
    if (cell === null) this.nul();
    else if (typeof cell === 'number') this.int(cell);
    else if (typeof cell === 'string') this.text(cell);
    else if (typeof cell === 'boolean') this.bool(cell);
    else if (typeof cell === 'bigint') this.ascii(cell.toString());
    else this.text(JSON.stringify(cell));
  }

  /**
   * Pieces of one cell written in turn (e.g. JSON built from parts): each is escaped like text;
   * call cellEnd() after the last one.
   */
  part(s: string): void {
    this.text(s);
    this.pos--; // drop the tab: the cell goes on
  }

  partInt(n: number): void {
    this.int(n);
    this.pos--;
  }

  cellEnd(): void {
    if (this.pos + 1 > this.buf.length) this.spill(1);
    this.buf[this.pos++] = TAB;
  }

  endRow(): void {
    this.buf[this.pos - 1] = NEWLINE; // the last cell's tab
    this.rows++;
  }

  /** Hands over what is buffered (call once all rows are written). */
  finish(): void {
    if (this.pos > 0) this.sink(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(0);
    this.pos = 0;
  }

  /** Known-safe ASCII (digits, signs): no escaping needed. */
  private ascii(s: string): void {
    if (this.pos + s.length + 1 > this.buf.length) this.spill(s.length + 1);
    this.pos += this.buf.write(s, this.pos, 'latin1');
    this.buf[this.pos++] = TAB;
  }

  /** The current buffer goes to the sink; a new one has room for at least `need` bytes. */
  private spill(need: number): void {
    if (this.pos > 0) this.sink(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, need));
    this.pos = 0;
  }
}

const ENCODED_CACHE_LIMIT = 20_000;
const encodedCache = new Map<string, Uint8Array>();

/** A string in COPY text form (escaped, UTF-8), without the separator: for bytes()/bytesPart(). */
export function encodeCell(s: string): Uint8Array {
  const out: Buffer[] = [];
  const w = new CopyWriter((chunk) => out.push(Buffer.from(chunk)), s.length * 3 + 8);
  w.text(s);
  w.finish();
  const all = Buffer.concat(out);
  return new Uint8Array(all.subarray(0, all.length - 1)); // without the tab
}

function isAsync<T>(rows: Iterable<T> | AsyncIterable<T>): rows is AsyncIterable<T> {
  return typeof (rows as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

/** A COPY ... FROM STDIN in progress: rows go through `writer` while the caller works. */
export interface OpenCopy {
  readonly writer: CopyWriter;
  /**
   * Yields to the event loop so the chunks written so far go out and Postgres works on them
   * while the caller goes on (call between batches of rows).
   */
  flush(): Promise<void>;
  /** Ends the data and waits for Postgres; returns the row count. */
  finish(): Promise<number>;
  /** Cancels the COPY (CopyFail): the connection is usable again (for a rollback) once it resolves. */
  abort(error: Error): Promise<void>;
}

/**
 * Opens COPY `table (columns)` FROM STDIN. Chunks are handed to the stream as they fill and
 * queue there until Postgres takes them: a shard's rows are a few MB, so no backpressure is
 * applied while rows are written.
 */
export function openCopy(client: pg.PoolClient | pg.Client, table: string, columns: readonly string[]): OpenCopy {
  const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
  finished.catch(() => undefined); // observed by finish() or abort(); avoids an unhandled rejection meanwhile
  const writer = new CopyWriter((chunk) => stream.write(chunk));
  let open = true;
  return {
    writer,
    flush: () => new Promise<void>((resolve) => setImmediate(resolve)),
    async finish() {
      if (!open) throw new Error('assertion failed: COPY already finished or aborted');
      open = false;
      writer.finish();
      stream.end();
      await finished;
      return writer.rows;
    },
    async abort(error: Error) {
      if (!open) return;
      open = false;
      stream.destroy(error);
      await finished.catch(() => undefined);
    },
  };
}

/**
 * Streams rows written by `write` into `table (columns)` and returns the row count. `write` is
 * synchronous: a shard's rows are a few MB, so chunks queue on the stream while it runs and go
 * out as Postgres takes them.
 */
export async function copyWith(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  write: (w: CopyWriter) => void,
): Promise<number> {
  const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
  finished.catch(() => undefined); // observed below; avoids an unhandled rejection meanwhile
  const writer = new CopyWriter((chunk) => stream.write(chunk));
  try {
    write(writer);
    writer.finish();
  } catch (error) {
    stream.destroy(error as Error);
    await finished.catch(() => undefined);
    throw error;
  }
  stream.end();
  await finished;
  return writer.rows;
}

/**
 * Streams rows into `table (columns)` and returns the row count. Synchronous iterables are encoded
 * without a microtask per row; between chunks the stream's backpressure is respected.
 */
export async function copyRows(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyCell[]> | AsyncIterable<readonly CopyCell[]>,
): Promise<number> {
  const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
  finished.catch(() => undefined); // observed below; avoids an unhandled rejection meanwhile
  let full = false;
  const writer = new CopyWriter((chunk) => {
    if (!stream.write(chunk)) full = true;
  });
  const writeRow = (row: readonly CopyCell[]) => {
    for (let i = 0; i < row.length; i++) writer.cell(row[i] as CopyCell);
    writer.endRow();
  };
  const drain = async () => {
    full = false;
    await Promise.race([once(stream, 'drain'), finished]);
  };
  try {
    if (isAsync(rows)) {
      for await (const row of rows) {
        writeRow(row);
        if (full) await drain();
      }
    } else {
      for (const row of rows) {
        writeRow(row);
        if (full) await drain();
      }
    }
    writer.finish();
  } catch (error) {
    stream.destroy(error as Error);
    await finished.catch(() => undefined);
    throw error;
  }
  stream.end();
  await finished;
  return writer.rows;
}
