/**
 * `npm run bench -- email [--emails 10000] [--rounds 3] [--connections 24] [--concurrency 96] [--json]`
 *
 * Ours: the delivery send stage (src/notifications processSendJob) over a Postgres of billed
 * invoices — claim ('sending') per chunk, read the invoice's 30 KB PDF from the document store,
 * compose the localized multipart email, send it over pooled SMTP connections (nodemailer's
 * SMTPConnection in src/notifications/channels/email/smtp-pool.ts),
 * record 'sent' in batches — four send jobs at a time in one thread.
 * The receiver is an smtp-server in a separate process that counts every Message-ID, so
 * `duplicates` is measured at the receiving end. Peer, in the same run: plain nodemailer with one
 * connection per message (no pool, no database), the same 30 KB attachment.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SHARD_TASK } from '../src/billing/run-sql.ts';
import { createRun } from '../src/billing/run.ts';
import { executeRun } from '../src/billing/execute.ts';
import { DirStore, DocumentRenderer, buildInvoiceView, sampleInvoiceRecord } from '../src/documents/index.ts';
import { silentLog } from '../src/log.ts';
import { deliverySettings, loadMessageTemplates, processSendJob, RateLimiter, SmtpChannel } from '../src/notifications/index.ts';
import { composeMime } from '../src/notifications/channels/email/mime.ts';
import { SmtpPool } from '../src/notifications/channels/email/smtp-pool.ts';
import { seedDataset } from '../src/seed/index.ts';
import { freshDatabase, intFlag, median, note } from './support.ts';

const PDF_BYTES = 30 * 1024;
const JOB_SIZE = 500;
const PARALLEL_JOBS = 4;

type Receiver = { port: number; stats(): Promise<{ accepted: number; distinct: number; withPdf: number; bytes: number; cpuMs: number }>; reset(): Promise<void>; stop(): void };

async function startReceiver(): Promise<Receiver> {
  const child = fork(new URL('./email-receiver.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const ask = <T>(type: string) => new Promise<T>((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send({ type });
  });
  return { port, stats: () => ask('stats'), reset: async () => void (await ask('reset')), stop: () => child.kill() };
}

/** A real invoice PDF (Typst), padded with a trailing PDF comment to 30 KB. */
function thirtyKbPdf(): Buffer {
  const renderer = new DocumentRenderer();
  const [doc] = renderer.renderBatch([buildInvoiceView(sampleInvoiceRecord(1, 'en', 6), renderer.templates)]);
  const pdf = doc!.pdf;
  if (pdf.length >= PDF_BYTES) return pdf;
  return Buffer.concat([pdf, Buffer.from(`\n%${'x'.repeat(PDF_BYTES - pdf.length - 3)}\n`)]);
}

async function naivePeer(port: number, pdf: Buffer, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const n = next++;
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await transport.sendMail({
        from: 'Billflow <billing@billflow.local>', to: `peer${n}@bench.example`, subject: `Invoice PEER-${n}`, text: 'Your invoice is attached.',
        html: '<p>Your invoice is attached.</p>', messageId: `<peer.${n}.${Date.now()}@bench>`, attachments: [{ filename: `PEER-${n}.pdf`, content: pdf, contentType: 'application/pdf' }],
      });
      transport.close();
    }
  }));
  return count / ((performance.now() - started) / 1000);
}

/**
 * The ceiling of this machine and receiver: the same raw messages over the same SMTP pool,
 * composed in memory — no database, no store, no templates.
 */
async function ceiling(port: number, pdf: Buffer, count: number, connections: number): Promise<number> {
  const pool = new SmtpPool({
    host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth: null, tls: { rejectUnauthorized: false }, timeoutMs: 30_000,
    maxConnections: connections, maxMessagesPerConnection: 1_000_000,
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) {
      const n = next++;
      const raw = composeMime({
        from: 'billing@billflow.local', to: `c${n}@bench.example`, subject: `Invoice C-${n}`, text: 'Your invoice is attached.', html: '<p>Your invoice is attached.</p>',
        messageId: `<ceiling.${n}.${Date.now()}@bench>`, date: new Date(), headers: {}, attachment: { filename: `C-${n}.pdf`, content: pdf, contentType: 'application/pdf' },
      });
      await pool.send({ from: 'billing@billflow.local', to: [`c${n}@bench.example`] }, raw);
    }
  }));
  pool.close();
  return count / ((performance.now() - started) / 1000);
}

/** Billed invoices, each with the same 30 KB PDF in the store, and one pending email delivery each. */
async function prepare(pool: import('pg').Pool, url: string, emails: number, storeDir: string, pdf: Buffer): Promise<void> {
  await seedDataset(pool, { customers: Math.ceil(emails * 1.03) + 50, seed: 11, period: '2026-11' });
  const run = await createRun(pool, { period: '2026-11', issueDate: '2026-12-01', shardSize: 5000, maxAttempts: 3, netTermsDays: 15, trigger: 'cli' });
  await executeRun({ pool, log: silentLog }, {
    runId: run.runId, threads: 1,
    runner: { connectionString: url, concurrency: 2, pollIntervalMs: 200, heartbeatMs: 5000, deadAfterMs: 60_000, tasks: [SHARD_TASK] },
  });
  await new DirStore(storeDir).put('bench/invoice.pdf', pdf);
  await pool.query(`insert into invoice_documents (invoice_id, kind, locale, content_hash, storage, path, size_bytes, sha256, pages)
                    select id, 'invoice', 'en', repeat('0', 64), 'dir', 'bench/invoice.pdf', $1, repeat('0', 64), 1 from invoices`, [pdf.length]);
  await pool.query(`insert into deliveries (invoice_id, channel, customer_id, recipient, locale, message_id, max_attempts)
                    select i.id, 'email', c.id, c.email, c.locale, '', 5 from invoices i join customers c on c.id = i.customer_id
                    where c.email is not null order by i.id limit $1`, [emails]);
}

async function sendRound(ctx: Parameters<typeof processSendJob>[0], ids: number[], round: number): Promise<number> {
  await ctx.pool.query(`update deliveries set status = 'pending', attempts = 0, sent_at = null,
                          message_id = '<bench.r' || $1 || '.' || id || '@billflow.local>'`, [round]);
  const jobs: number[][] = [];
  for (let at = 0; at < ids.length; at += JOB_SIZE) jobs.push(ids.slice(at, at + JOB_SIZE));
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: PARALLEL_JOBS }, async () => {
    while (next < jobs.length) {
      const n = next++;
      await processSendJob(ctx, { ids: jobs[n]!, jobId: round * 100_000 + n });
    }
  }));
  return performance.now() - started;
}

export async function benchEmail(flags: Map<string, string>): Promise<Record<string, unknown>> {
  const emails = intFlag(flags, 'emails', 10_000);
  const rounds = Math.max(1, intFlag(flags, 'rounds', 3));
  const connections = intFlag(flags, 'connections', 24);
  const concurrency = intFlag(flags, 'concurrency', 96);
  const peerEmails = intFlag(flags, 'peer-emails', 2_000);
  const db = await freshDatabase(flags, 'email');
  const storeDir = mkdtempSync(join(tmpdir(), 'billflow-bench-email-'));
  const receiver = await startReceiver();
  const pdf = thirtyKbPdf();
  try {
    note(`preparing ${emails} billed invoices with a ${pdf.length}-byte PDF each…`);
    await prepare(db.pool, db.url, emails, storeDir, pdf);
    const ids = (await db.pool.query<{ id: number }>('select id from deliveries order by id')).rows.map((r) => Number(r.id));
    const settings = deliverySettings({ email: { smtpUrl: `smtp://127.0.0.1:${receiver.port}?ignoreTLS=true`, maxConnections: connections, concurrency } });
    const channel = new SmtpChannel({ ...settings.email, smtpUrl: settings.email.smtpUrl! });
    const ctx = {
      pool: db.pool, log: silentLog, settings, store: new DirStore(storeDir), templates: loadMessageTemplates(),
      channels: { email: channel, sms: channel, whatsapp: channel }, limiters: { email: new RateLimiter(0), sms: new RateLimiter(0), whatsapp: new RateLimiter(0) },
    };
    const rates: number[] = [];
    const senderCpu: number[] = [];
    const receiverCpu: number[] = [];
    let duplicates = 0;
    let notSent = 0;
    let withPdf = 0;
    for (let round = 1; round <= rounds; round++) {
      await receiver.reset();
      const receiverBefore = (await receiver.stats()).cpuMs;
      const cpuBefore = process.cpuUsage();
      const ms = await sendRound(ctx, ids, round);
      const cpu = process.cpuUsage(cpuBefore);
      const stats = await receiver.stats();
      senderCpu.push((cpu.user + cpu.system) / 1000 / ids.length);
      receiverCpu.push((stats.cpuMs - receiverBefore) / ids.length);
      duplicates += stats.accepted - stats.distinct;
      withPdf += stats.withPdf;
      notSent += Number((await db.pool.query(`select count(*)::int as n from deliveries where status <> 'sent'`)).rows[0].n);
      if (stats.distinct !== ids.length) throw new Error(`round ${round}: ${stats.distinct} distinct messages received, expected ${ids.length}`);
      rates.push(ids.length / (ms / 1000));
      note(`round ${round}: ${ids.length} emails in ${(ms / 1000).toFixed(2)} s = ${Math.round(rates.at(-1)!)}/s (${(stats.bytes / 1048576).toFixed(0)} MB received), load ${loadavg()[0]!.toFixed(1)}`);
    }
    await channel.close();
    await receiver.reset();
    const peerRates: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      peerRates.push(await naivePeer(receiver.port, pdf, peerEmails, connections));
      note(`peer round ${round}: ${Math.round(peerRates.at(-1)!)}/s`);
    }
    const ceilings: number[] = [];
    for (let round = 1; round <= rounds; round++) ceilings.push(await ceiling(receiver.port, pdf, Math.min(ids.length, 5_000), connections));
    note(`ceiling (pooled SMTP, no database): ${ceilings.map(Math.round).join(', ')}/s`);
    const emailsPerSec = Math.round(median(rates));
    const peerPerSec = Math.round(median(peerRates));
    return {
      emails: ids.length, rounds, emailsPerSec, roundsPerSec: rates.map(Math.round), duplicates, notSent, withPdf: withPdf / rounds,
      // CPU per email in the sending process (the send stage and its pg client) and in the receiver:
      // steadier than rates on a shared machine. Postgres's own CPU is in neither.
      senderCpuMsPerEmail: Number(median(senderCpu).toFixed(3)), receiverCpuMsPerEmail: Number(median(receiverCpu).toFixed(3)),
      attachmentBytes: pdf.length, smtpConnections: connections, concurrency,
      peer: 'nodemailer, one connection per message, no database', peerEmails, peerEmailsPerSec: peerPerSec, peerRoundsPerSec: peerRates.map(Math.round),
      ratio: Number((emailsPerSec / peerPerSec).toFixed(2)),
      ceilingEmailsPerSec: Math.round(median(ceilings)), ceilingNote: 'same receiver and connections, raw messages from memory, no database', loadAvg1m: Number(loadavg()[0]!.toFixed(2)),
    };
  } finally {
    receiver.stop();
    rmSync(storeDir, { recursive: true, force: true });
    await db.drop();
    await db.close();
  }
}
