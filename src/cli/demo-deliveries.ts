import { startThreadPool } from '../billing/index.ts';
import { DISPATCH_TASK, SEND_TASK, deliveryCounts, outboxDirOf } from '../notifications/index.ts';
import type { CliContext } from './context.ts';
import { runnerSettings } from './options.ts';

/** How long the demo waits for its deliveries; the rest goes on under `billflow worker`. */
const DELIVERY_WAIT_MS = 180_000;
const POLL_MS = 500;
const PROGRESS_EVERY_MS = 2_000;

/**
 * The demo's delivery step: worker threads take the delivery jobs (dispatch from the outbox, then
 * sends) until none is left to run soon (a dispatch that found events not yet safe to read looks
 * again a second later: that one counts) — SMS after validation, email and WhatsApp once the PDFs
 * exist — then stdout says what was sent and where the files are. Retries scheduled for later
 * (a transient failure) are left to `billflow worker`.
 */
export async function deliverDemoInvoices(ctx: CliContext): Promise<void> {
  const started = Date.now();
  const pool = await startThreadPool(Math.max(1, ctx.config.billing.workers), runnerSettings(ctx), ctx.log);
  let last = 0;
  try {
    while (Date.now() - started < DELIVERY_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const due = (await ctx.pool.query<{ n: number }>(
        `select count(*)::int as n from graphile_worker.jobs
         where task_identifier = any($1::text[]) and run_at <= now() + interval '5 seconds' and attempts < max_attempts`,
        [[DISPATCH_TASK, SEND_TASK]],
      )).rows[0]!.n;
      const counts = await deliveryCounts(ctx.pool);
      const inFlight = counts.filter((c) => c.status === 'pending' || c.status === 'sending').reduce((n, c) => n + c.count, 0);
      if (Date.now() - last >= PROGRESS_EVERY_MS) {
        last = Date.now();
        const sent = counts.filter((c) => c.status === 'sent').reduce((n, c) => n + c.count, 0);
        process.stderr.write(`deliveries: ${sent.toLocaleString('en-US')} sent, ${inFlight.toLocaleString('en-US')} in flight\n`);
      }
      if (due === 0 && inFlight === 0) break;
    }
  } finally {
    await pool.stop({ graceMs: 5_000 });
  }
  const counts = await deliveryCounts(ctx.pool);
  // What each channel owes: issued invoices whose customer has that address and allows it.
  const owed = (await ctx.pool.query<Record<string, number>>(
    `select ${['email', 'sms', 'whatsapp'].map((ch) => `count(*) filter (where nullif(trim(c.${ch === 'sms' ? 'phone' : ch}), '') is not null
              and (p.channels is null or '${ch}' = any(p.channels)))::int as ${ch}`).join(', ')}
     from invoices i join customers c on c.id = i.customer_id left join delivery_preferences p on p.customer_id = c.id
     where i.status = 'issued'`,
  )).rows[0]!;
  const byChannel = new Map<string, string[]>();
  for (const c of counts) byChannel.set(c.channel, [...(byChannel.get(c.channel) ?? []), `${c.count.toLocaleString('en-US')} ${c.status}`]);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const line = [...byChannel].map(([channel, parts]) => `${channel} ${parts.join(', ')} of ${(owed[channel] ?? 0).toLocaleString('en-US')}`).join(' · ');
  process.stdout.write(`\nDeliveries (${seconds} s): ${line || 'none'} (invoices whose customer has that address)\n`);
  const email = ctx.config.delivery.email.smtpUrl ? 'email went over SMTP; ' : '';
  process.stdout.write(`  ${email}unconfigured channels write to ${outboxDirOf(ctx.config.delivery, ctx.config.dataDir)}/ (email/*.eml opens in any mail client; sms.jsonl, whatsapp.jsonl)\n`);
}
