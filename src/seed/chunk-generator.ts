/**
 * Generates customers chunk by chunk and encodes each chunk's rows, table by table, into COPY
 * text (escaping by encodeCopyRow of src/db/copy.ts). The same class runs in the generator
 * thread (the normal path) and in-process (threads: false); both produce identical bytes.
 */
import { encodeCopyRow } from '../db/copy.ts';
import type { Period } from './calendar.ts';
import { generateCustomer } from './customer.ts';
import { createContext, type GenContext, type IdTable, type SeedTable, type SeedTallies, TABLE_ORDER } from './rows.ts';

export interface GeneratorConfig {
  seed: number;
  period: Period;
  firstCustomerId: number;
  count: number;
  chunkSize: number;
  /** Highest id already used per table; generated ids continue after it. */
  lastId: Record<IdTable, number>;
}

export interface EncodedChunk {
  customers: number;
  /** COPY text per table (tables without rows are absent), in TABLE_ORDER when iterated. */
  tables: Partial<Record<SeedTable, Uint8Array>>;
}

export interface GeneratorResult {
  lastId: Record<Exclude<IdTable, 'customers'>, number>;
  tallies: SeedTallies;
  customerCoupons: number;
}

/**
 * Growable byte buffer for one table's COPY text. Each row is encoded and appended as soon as its
 * customer is generated, so row arrays and line strings die young (cheap scavenges) instead of
 * living for the whole chunk as arrays and cons-strings (measured: GC was a third of the thread's
 * time that way). Backed by a non-pooled buffer, so the finished bytes can be transferred.
 */
class ByteSink {
  private buffer = Buffer.allocUnsafeSlow(1 << 16);
  private length = 0;

  append(text: string): void {
    // A UTF-8 string needs at most 3 bytes per UTF-16 code unit.
    const worst = this.length + text.length * 3;
    if (worst > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < worst) size *= 2;
      const grown = Buffer.allocUnsafeSlow(size);
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  get empty(): boolean {
    return this.length === 0;
  }

  /** The bytes written so far, as a view over a buffer this sink no longer uses. */
  take(): Uint8Array {
    const out = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.length);
    this.buffer = Buffer.allocUnsafeSlow(1 << 16);
    this.length = 0;
    return out;
  }
}

/** Customers generated between flushes of their rows into the sinks. */
const ENCODE_EVERY = 16;

export class ChunkGenerator {
  private readonly ctx: GenContext;
  private readonly sinks = new Map<SeedTable, ByteSink>(TABLE_ORDER.map((t) => [t, new ByteSink()]));
  private offset = 0;

  constructor(private readonly config: GeneratorConfig) {
    const { customers: _customers, ...rest } = config.lastId;
    this.ctx = createContext(config.seed, config.period, rest);
  }

  get chunks(): number {
    return Math.ceil(this.config.count / this.config.chunkSize);
  }

  get finished(): boolean {
    return this.offset >= this.config.count;
  }

  /** The next chunk, or null when every customer has been generated. */
  next(): EncodedChunk | null {
    if (this.finished) return null;
    const size = Math.min(this.config.chunkSize, this.config.count - this.offset);
    const first = this.config.firstCustomerId + this.offset;
    for (let id = first; id < first + size; id++) {
      generateCustomer(this.ctx, id);
      if ((id - first) % ENCODE_EVERY === ENCODE_EVERY - 1) this.flushRows();
    }
    this.flushRows();
    this.offset += size;
    const tables: EncodedChunk['tables'] = {};
    for (const [table, sink] of this.sinks) if (!sink.empty) tables[table] = sink.take();
    return { customers: size, tables };
  }

  private flushRows(): void {
    const rows = this.ctx.rows;
    this.ctx.customerCoupons += rows.customer_coupons.length;
    for (const table of TABLE_ORDER) {
      const tableRows = rows[table];
      if (tableRows.length === 0) continue;
      const sink = this.sinks.get(table) as ByteSink;
      for (const row of tableRows) sink.append(encodeCopyRow(row));
      tableRows.length = 0;
    }
  }

  result(): GeneratorResult {
    return { lastId: { ...this.ctx.lastId }, tallies: this.ctx.tallies, customerCoupons: this.ctx.customerCoupons };
  }
}
