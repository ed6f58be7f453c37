import type pg from 'pg';
import { copyRows, copyWith, encodeCell, openCopy, type CopyCell, type CopyWriter, type OpenCopy } from '../db/copy.ts';
import type { ComputeResult, InvoiceDraft, LegalEntityInfo, TaxAmount } from './types.ts';
import { postInvoiceJournal } from '../ledger/index.ts';
import { invoiceColumns, lineColumns, outboxColumns, persistSql, quarantineColumns } from './persist-sql.ts';

export interface PersistOptions {
  runId: number | null;
  period: string;
  source: string;
  /** The customers whose quarantine rows this batch replaces. */
  range: { from: number; to: number };
  legalEntities: Map<string, LegalEntityInfo>;
}

export interface PersistInput extends PersistOptions {
  results: ComputeResult[];
}

export interface PersistOutcome {
  invoices: number;
  lines: number;
  quarantined: number;
  /** Invoice ids and numbers, in the order of the ok results. */
  issued: { id: number; customerId: number; number: string }[];
}

type InvalidResult = Extract<ComputeResult, { status: 'invalid' }>;

/** What is kept of an ok invoice once its lines are written: the invoice row and its event. */
interface IssuedInvoice {
  id: number;
  customerId: number;
  legalEntityId: string;
  series: string;
  year: number;
  currency: string;
  period: string;
  source: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxJson: string;
  issueDate: string;
  dueDate: string;
  periodStart: string;
  periodEnd: string;
}

/** JSON string literals of tax names and rates, built once: they repeat on every line. */
const jsonLiterals = new Map<string, string>();
function jsonLiteral(value: string): string {
  let literal = jsonLiterals.get(value);
  if (literal === undefined) {
    literal = JSON.stringify(value);
    if (jsonLiterals.size < 10_000) jsonLiterals.set(value, literal);
  }
  return literal;
}

/**
 * `{"name":…,"ratePercent":…,"amountMinor":` per (name, rate), COPY-encoded once (with a
 * leading '[' or ','): a line's breakdown is then a few byte copies and its amounts.
 */
const taxHeads = new Map<string, Map<string, { first: Uint8Array; next: Uint8Array }>>();
function taxHead(t: TaxAmount): { first: Uint8Array; next: Uint8Array } {
  let byRate = taxHeads.get(t.name);
  if (byRate === undefined) taxHeads.set(t.name, (byRate = new Map()));
  let head = byRate.get(t.ratePercent);
  if (head === undefined) {
    const body = `{"name":${jsonLiteral(t.name)},"ratePercent":${jsonLiteral(t.ratePercent)},"amountMinor":`;
    head = { first: encodeCell(`[${body}`), next: encodeCell(`,${body}`) };
    if (byRate.size < 1_000) byRate.set(t.ratePercent, head);
  }
  return head;
}
const CLOSE_OBJECT = encodeCell('}');
const CLOSE_ARRAY = encodeCell(']');

/** A line's tax breakdown as one JSON cell (once per line, millions of times per run). */
function writeTaxJson(w: CopyWriter, taxes: TaxAmount[] | null): void {
  if (taxes === null || taxes.length === 0) return w.nul();
  for (let i = 0; i < taxes.length; i++) {
    const t = taxes[i]!;
    const head = taxHead(t);
    w.bytesPart(i === 0 ? head.first : head.next);
    w.partInt(t.amountMinor);
    w.bytesPart(CLOSE_OBJECT);
  }
  w.bytesPart(CLOSE_ARRAY);
  w.cellEnd();
}

/** The same JSON as a string (an invoice's breakdown, kept until its row is written). */
function taxJsonString(taxes: TaxAmount[]): string {
  let out = '[';
  for (let i = 0; i < taxes.length; i++) {
    const t = taxes[i]!;
    out += `${i ? ',' : ''}{"name":${jsonLiteral(t.name)},"ratePercent":${jsonLiteral(t.ratePercent)},"amountMinor":${t.amountMinor}}`;
  }
  return out + ']';
}

function seriesOf(draft: InvoiceDraft, entities: Map<string, LegalEntityInfo>): { series: string; year: number } {
  const entity = entities.get(draft.legalEntityId);
  const prefix = entity ? entity.numberPrefix : draft.legalEntityId.toUpperCase();
  const year = Number(draft.issueDate.slice(0, 4));
  return { series: `${prefix}-${year}`, year };
}

export function formatInvoiceNumber(series: string, n: number): string {
  return `${series}-${String(n).padStart(6, '0')}`;
}

/**
 * The persist stage of one batch (a shard, or one API invoice), in the caller's transaction.
 * Results are added one at a time as they are computed: an ok invoice's lines go straight into
 * an open COPY of invoice_lines (Postgres works on them while the next invoices are computed)
 * and only a small record of the invoice is kept, so a shard never holds its computed invoices
 * all at once (holding them made garbage collection a third of a worker's time). finish() then
 * writes the quarantine, takes the invoice numbers — as late as possible, because the series row
 * lock is held to commit — and copies the invoices and their outbox events.
 *
 * Invoice ids are reserved up front for every result that may be ok (`capacity`); the ids of
 * results that turn out skipped or invalid are left unused (ids may have gaps; numbers never do).
 */
export class InvoiceBatch {
  private readonly issued: IssuedInvoice[] = [];
  private readonly invalid: InvalidResult[] = [];
  private lineCount = 0;
  private used = 0;

  private constructor(
    private readonly client: pg.PoolClient,
    private readonly options: PersistOptions,
    private readonly ids: number[],
    private readonly lines: OpenCopy,
  ) {}

  static async open(client: pg.PoolClient, options: PersistOptions, capacity: number): Promise<InvoiceBatch> {
    const reserve = persistSql.reserveInvoiceIds(capacity);
    const ids = capacity === 0 ? [] : (await client.query<{ id: number }>(reserve.text, reserve.values)).rows.map((r) => r.id);
    return new InvoiceBatch(client, options, ids, openCopy(client, 'invoice_lines', lineColumns));
  }

  add(result: ComputeResult): void {
    if (result.status === 'invalid') this.invalid.push(result);
    if (result.status !== 'ok') return;
    const d = result.invoice;
    const id = this.ids[this.used++];
    if (id === undefined) throw new Error(`assertion failed: more ok invoices than the ${this.ids.length} ids reserved`);
    this.writeLines(id, d);
    const { series, year } = seriesOf(d, this.options.legalEntities);
    this.issued.push({
      id, customerId: d.customerId, legalEntityId: d.legalEntityId, series, year, currency: d.currency, period: d.period,
      source: d.source, subtotalMinor: d.subtotalMinor, discountMinor: d.discountMinor, taxMinor: d.taxMinor,
      totalMinor: d.totalMinor, taxJson: taxJsonString(d.taxBreakdown), issueDate: d.issueDate, dueDate: d.dueDate,
      periodStart: d.periodStart, periodEnd: d.periodEnd,
    });
  }

  /** Lets the lines written so far go to Postgres (call every few hundred results). */
  flush(): Promise<void> {
    return this.lines.flush();
  }

  /** Cancels the open COPY; call before rolling back after any failure. */
  abort(error: Error): Promise<void> {
    return this.lines.abort(error);
  }

  async finish(): Promise<PersistOutcome> {
    const { client, options, issued, invalid } = this;
    await this.lines.finish();
    // Quarantine is recomputed on every attempt: a fixed customer leaves it, a broken one stays.
    const clear = persistSql.clearQuarantine(options.range.from, options.range.to, options.period, options.source);
    await client.query(clear.text, clear.values);
    if (invalid.length > 0) {
      await copyRows(client, 'quarantined_invoices', quarantineColumns,
        invalid.map((r): CopyCell[] => [r.customerId, options.period, options.source, options.runId, r.reasons, r.draft ?? {}]));
      await copyRows(client, 'outbox_events', outboxColumns, invalid.map((r): CopyCell[] => [
        'invoice.quarantined', r.customerId,
        { customerId: r.customerId, period: options.period, runId: options.runId, reasons: r.reasons.map((x) => x.code) },
      ]));
    }
    if (issued.length === 0) return { invoices: 0, lines: 0, quarantined: invalid.length, issued: [] };
    const numbers = await this.takeNumbers();
    await this.copyInvoices(numbers);
    // Money moves only through the ledger: the invoices' journal commits with them.
    await postInvoiceJournal(client, issued);
    return {
      invoices: issued.length,
      lines: this.lineCount,
      quarantined: invalid.length,
      issued: issued.map((d, i) => ({ id: d.id, customerId: d.customerId, number: numbers[i]! })),
    };
  }

  private writeLines(id: number, d: InvoiceDraft): void {
    const w = this.lines.writer;
    const lines = d.lines;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      w.int(id); w.int(l.lineNo); w.cached(l.kind); w.text(l.description); w.cachedOrNull(l.productId);
      w.int(l.quantity); w.int(l.unitAmountMinor); w.int(l.amountMinor); w.int(l.discountMinor); w.int(l.taxMinor);
      w.int(l.totalMinor); writeTaxJson(w, l.taxBreakdown); w.cachedOrNull(l.serviceStart); w.cachedOrNull(l.serviceEnd);
      if (l.loanId === null) w.nul(); else w.int(l.loanId);
      if (l.installmentSeq === null) w.nul(); else w.int(l.installmentSeq);
      w.endRow();
    }
    this.lineCount += lines.length;
  }

  /** Numbers per series, each series' block taken in sorted order (no deadlocks between shards). */
  private async takeNumbers(): Promise<string[]> {
    const bySeries = new Map<string, { year: number; entity: string; indexes: number[] }>();
    this.issued.forEach((d, i) => {
      let group = bySeries.get(d.series);
      if (!group) bySeries.set(d.series, (group = { year: d.year, entity: d.legalEntityId, indexes: [] }));
      group.indexes.push(i);
    });
    const numbers = new Array<string>(this.issued.length);
    for (const series of [...bySeries.keys()].sort()) {
      const group = bySeries.get(series)!;
      const sql = persistSql.takeNumbers(series, group.entity, group.year, group.indexes.length);
      const first = Number((await this.client.query<{ first: number }>(sql.text, sql.values)).rows[0]!.first);
      group.indexes.forEach((index, k) => (numbers[index] = formatInvoiceNumber(series, first + k)));
    }
    return numbers;
  }

  private async copyInvoices(numbers: string[]): Promise<void> {
    await this.copyInvoicesOnly(numbers);
    await this.copyOutboxOnly(numbers);
  }

  private async copyInvoicesOnly(numbers: string[]): Promise<void> {
    const { issued, options } = this;
    await copyWith(this.client, 'invoices', invoiceColumns, (w) => {
      for (let i = 0; i < issued.length; i++) {
        const d = issued[i]!;
        w.int(d.id); w.int(d.customerId); w.cached(d.period); w.text(d.source); // API sources are one per request
        if (options.runId === null) w.nul(); else w.int(options.runId);
        w.cached(d.legalEntityId); w.text(numbers[i]!); w.cached(d.currency); w.int(d.subtotalMinor); w.int(d.discountMinor);
        w.int(d.taxMinor); w.int(d.totalMinor); w.text(d.taxJson); w.cached(d.issueDate); w.cached(d.dueDate);
        w.cached(d.periodStart); w.cached(d.periodEnd);
        w.endRow();
      }
    });
  }

  private async copyOutboxOnly(numbers: string[]): Promise<void> {
    const { issued, options } = this;
    // The payload's constant pieces, COPY-encoded once per batch (per period and currency for the middle).
    const tail = encodeCell(`,"runId":${options.runId === null ? 'null' : options.runId}}`);
    const middles = new Map<string, Uint8Array>();
    await copyWith(this.client, 'outbox_events', outboxColumns, (w) => {
      for (let i = 0; i < issued.length; i++) {
        const d = issued[i]!;
        const key = `${d.period}\0${d.currency}`;
        let middle = middles.get(key);
        if (middle === undefined) {
          middle = encodeCell(`,"period":${jsonLiteral(d.period)},"currency":${jsonLiteral(d.currency)},"totalMinor":`);
          middles.set(key, middle);
        }
        w.cached('invoice.issued'); w.int(d.id);
        w.bytesPart(OUTBOX_INVOICE_ID); w.partInt(d.id); w.bytesPart(OUTBOX_CUSTOMER_ID); w.partInt(d.customerId);
        w.bytesPart(OUTBOX_NUMBER); w.part(JSON.stringify(numbers[i]!)); w.bytesPart(middle); w.partInt(d.totalMinor);
        w.bytesPart(tail); w.cellEnd();
        w.endRow();
      }
    });
  }
}

const OUTBOX_INVOICE_ID = encodeCell('{"invoiceId":');
const OUTBOX_CUSTOMER_ID = encodeCell(',"customerId":');
const OUTBOX_NUMBER = encodeCell(',"number":');

/** Persists already computed results in one go (one API invoice, tests). */
export async function persistShard(client: pg.PoolClient, input: PersistInput): Promise<PersistOutcome> {
  const { results, ...options } = input;
  let capacity = 0;
  for (const r of results) if (r.status === 'ok') capacity++;
  const batch = await InvoiceBatch.open(client, options, capacity);
  try {
    for (const r of results) batch.add(r);
  } catch (error) {
    await batch.abort(error as Error);
    throw error;
  }
  return batch.finish();
}
