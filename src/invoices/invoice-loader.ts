/**
 * Invoice reads by id, coalesced: concurrent `GET /api/v1/invoices/{id}` requests that arrive in
 * the same turn of the event loop are answered by one `where id = any($1)` query instead of one
 * query each (the DataLoader pattern). Why: under load the cost of a single-row read is almost
 * all per-query overhead — a socket write and read on each side, the row description parsed
 * again, a Postgres executor start — not the row itself; one query for 30 ids costs little more
 * than for one (docs/benchmarks.md, API section).
 *
 * No timer: the batch leaves at the end of the current loop turn (setImmediate), so a lone
 * request waits for nothing. At most `maxInFlight` batches hold pool connections at once (the
 * rest of the API keeps its share of the pool); requests arriving meanwhile queue and leave
 * together as soon as one returns. A batch that fails rejects only its own requests.
 */
import type pg from 'pg';
import { notFound } from '../customers/index.ts';
import { rowToInvoice, type Invoice } from './invoice-queries.ts';
import { invoiceQueriesSql } from './queries-sql.ts';

export interface InvoiceLoader {
  /** The invoice; invoice_not_found (404) when there is none. */
  get(invoiceId: number): Promise<Invoice>;
}

interface Waiting {
  id: number;
  resolve(invoice: Invoice): void;
  reject(error: unknown): void;
}

export interface InvoiceLoaderOptions {
  /** Ids per query (default 200). */
  maxBatch?: number;
  /** Queries in flight at once (default 4). */
  maxInFlight?: number;
}

export function createInvoiceLoader(db: pg.Pool, options: InvoiceLoaderOptions = {}): InvoiceLoader {
  const maxBatch = options.maxBatch ?? 200;
  const maxInFlight = options.maxInFlight ?? 4;
  const queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  async function runBatch(batch: Waiting[]): Promise<void> {
    try {
      const ids = [...new Set(batch.map((w) => w.id))];
      const rows = (await db.query(invoiceQueriesSql.byIds(ids))).rows;
      const byId = new Map<number, Invoice>(rows.map((r) => [r.id as number, rowToInvoice(r)]));
      for (const w of batch) {
        const invoice = byId.get(w.id);
        if (invoice !== undefined) w.resolve(invoice);
        else w.reject(notFound('invoice', [{ field: 'invoiceId', message: `no invoice with id ${w.id}` }]));
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function flush(): void {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        flush();
      });
    }
  }

  return {
    get(invoiceId) {
      return new Promise<Invoice>((resolve, reject) => {
        queue.push({ id: invoiceId, resolve, reject });
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
