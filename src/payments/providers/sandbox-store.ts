import type pg from 'pg';

export interface SandboxRow {
  id: number;
  idempotencyKey: string;
  kind: 'charge' | 'refund';
  reference: string;
  amountMinor: number;
  currency: string;
  status: 'succeeded' | 'declined';
  declineCode: string | null;
}

/** Rows written per statement: concurrent charges share one insert (a group commit). */
const GROUP_LIMIT = 500;

/**
 * The sandbox's own books in sandbox_charges, written in autocommit (outside any Billflow
 * transaction, like a remote provider's database). Concurrent charges are grouped into one
 * insert, and each caller is answered only once its row is committed.
 */
export class SandboxLedger {
  private pending: { row: Omit<SandboxRow, 'id'>; resolve: (r: SandboxRow) => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly pool: pg.Pool) {}

  record(row: Omit<SandboxRow, 'id'>): Promise<SandboxRow> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r)); // let concurrent callers join the group
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, GROUP_LIMIT);
      try {
        const ids = (await this.pool.query<{ id: number }>(
          `insert into sandbox_charges (idempotency_key, kind, reference, amount_minor, currency, status, decline_code)
           select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::char(3)[], $6::text[], $7::text[]) returning id`,
          [group.map((g) => g.row.idempotencyKey), group.map((g) => g.row.kind), group.map((g) => g.row.reference),
            group.map((g) => g.row.amountMinor), group.map((g) => g.row.currency), group.map((g) => g.row.status),
            group.map((g) => g.row.declineCode)],
        )).rows;
        group.forEach((g, i) => g.resolve({ id: ids[i]!.id, ...g.row }));
      } catch (error) {
        for (const g of group) g.reject(error as Error);
      }
    }
    this.flushing = null;
  }

  async find(idempotencyKey: string, kind: 'charge' | 'refund'): Promise<SandboxRow | null> {
    const r = (await this.pool.query(
      `select id, idempotency_key, kind, reference, amount_minor, currency, status, decline_code from sandbox_charges
       where idempotency_key = $1 and kind = $2 order by id limit 1`, [idempotencyKey, kind],
    )).rows[0];
    if (!r) return null;
    return { id: r.id, idempotencyKey: r.idempotency_key, kind: r.kind, reference: r.reference, amountMinor: r.amount_minor, currency: r.currency, status: r.status, declineCode: r.decline_code };
  }

  async close(): Promise<void> {
    await this.flushing;
  }
}
