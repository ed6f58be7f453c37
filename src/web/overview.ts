import type pg from 'pg';
import { outboxConsumers } from '../events/index.ts';
import { overviewSql } from './overview-sql.ts';

/** What the dashboard shows: runs and their progress, money, documents, deliveries, payments, queues. */
export interface Overview {
  at: string;
  runs: {
    runId: number; period: string; status: string; shardsTotal: number; shardsDone: number; shardsRunning: number; shardsParked: number;
    customers: number; invoices: number; quarantined: number; createdAt: string; finishedAt: string | null; invoicesPerSec: number | null;
  }[];
  /** Invoices per minute of the latest run. */
  runTimeline: { minute: string; invoices: number }[];
  invoices: { period: string | null; byPaymentStatus: Record<string, number>; byCurrency: { currency: string; count: number; totalMinor: number }[] };
  documents: { rendered: number; bytes: number; lastAt: string | null };
  deliveries: { channel: string; status: string; count: number }[];
  payments: { status: string; count: number; amountMinor: number }[];
  /** Per minute over the last hour. */
  activity: { minute: string; sent: number; charged: number; rendered: number }[];
  queue: { task: string; waiting: number; running: number; failed: number }[];
  outbox: { consumer: string; behind: number; eventsRead: number }[];
  workers: number;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

async function rows(pool: pg.Pool, sql: { text: string; values: unknown[] }): Promise<Record<string, unknown>[]> {
  return (await pool.query(sql.text, sql.values)).rows;
}

async function runsOf(pool: pg.Pool): Promise<Pick<Overview, 'runs' | 'runTimeline'>> {
  const runs = (await rows(pool, overviewSql.runs(10))).map((r) => {
    const started = r.first_started as Date | null;
    const ended = (r.finished_at as Date | null) ?? (r.last_finished as Date | null);
    const seconds = started && ended ? (ended.getTime() - started.getTime()) / 1000 : null;
    const invoices = Number(r.invoices);
    return {
      runId: Number(r.id), period: String(r.period), status: String(r.status), shardsTotal: Number(r.shards_total), shardsDone: Number(r.shards_done),
      shardsRunning: Number(r.shards_running), shardsParked: Number(r.shards_parked), customers: Number(r.customers_total), invoices,
      quarantined: Number(r.quarantined), createdAt: iso(r.created_at as Date)!, finishedAt: iso(r.finished_at as Date | null),
      invoicesPerSec: seconds && seconds > 0 ? Math.round(invoices / seconds) : null,
    };
  });
  const latest = runs[0];
  const runTimeline = latest
    ? (await rows(pool, overviewSql.runTimeline(latest.runId))).map((r) => ({ minute: iso(r.minute as Date)!, invoices: Number(r.invoices) }))
    : [];
  return { runs, runTimeline };
}

async function invoicesOf(pool: pg.Pool): Promise<Overview['invoices']> {
  const list = await rows(pool, overviewSql.invoices());
  const byPaymentStatus: Record<string, number> = {};
  const byCurrency = new Map<string, { currency: string; count: number; totalMinor: number }>();
  for (const r of list) {
    const n = Number(r.n);
    byPaymentStatus[String(r.payment_status)] = (byPaymentStatus[String(r.payment_status)] ?? 0) + n;
    const c = byCurrency.get(String(r.currency)) ?? { currency: String(r.currency), count: 0, totalMinor: 0 };
    c.count += n;
    c.totalMinor += Number(r.total_minor);
    byCurrency.set(c.currency, c);
  }
  return { period: list[0] ? String(list[0].period) : null, byPaymentStatus, byCurrency: [...byCurrency.values()].sort((a, b) => b.count - a.count) };
}

/** Everything the dashboard shows, read in parallel. */
export async function readOverview(pool: pg.Pool): Promise<Overview> {
  const [runs, invoices, documents, deliveries, payments, activity, queue, outbox, workers] = await Promise.all([
    runsOf(pool),
    invoicesOf(pool),
    rows(pool, overviewSql.documents()),
    rows(pool, overviewSql.deliveries()),
    rows(pool, overviewSql.payments()),
    rows(pool, overviewSql.activity()),
    rows(pool, overviewSql.queue()),
    outboxConsumers(pool),
    rows(pool, overviewSql.workers()),
  ]);
  const doc = documents[0]!;
  return {
    at: new Date().toISOString(),
    ...runs,
    invoices,
    documents: { rendered: Number(doc.n), bytes: Number(doc.bytes), lastAt: iso(doc.last_at as Date | null) },
    deliveries: deliveries.map((r) => ({ channel: String(r.channel), status: String(r.status), count: Number(r.n) })),
    payments: payments.map((r) => ({ status: String(r.status), count: Number(r.n), amountMinor: Number(r.amount_minor) })),
    activity: activity.map((r) => ({ minute: iso(r.minute as Date)!, sent: Number(r.sent), charged: Number(r.charged), rendered: Number(r.rendered) })),
    queue: queue.map((r) => ({ task: String(r.task), waiting: Number(r.waiting), running: Number(r.running), failed: Number(r.failed) })),
    outbox: outbox.map((c) => ({ consumer: c.name, behind: c.behind, eventsRead: c.eventsRead })),
    workers: Number(workers[0]!.n),
  };
}

/**
 * The overview, computed at most once per `maxAgeMs` per pool however many dashboards poll it
 * (its counts scan tables: see overview-sql.ts).
 */
export function cachedOverview(maxAgeMs = 2_000): (pool: pg.Pool) => Promise<Overview> {
  let last: { at: number; value: Promise<Overview> } | null = null;
  return (pool) => {
    const now = Date.now();
    if (!last || now - last.at > maxAgeMs) {
      const value = readOverview(pool);
      last = { at: now, value };
      value.catch(() => { last = null; });
    }
    return last.value;
  };
}
