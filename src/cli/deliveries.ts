import type { Command } from 'commander';
import { invalidInput } from '../errors.ts';
import {
  CHANNELS, DELIVERY_STATUSES, deliveryCounts, listDeliveries, outboxDirOf, requeueDeliveries, type Channel, type DeliveryRow, type DeliveryStatus,
} from '../notifications/index.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption } from './options.ts';

function channelOption(raw: string | undefined): Channel | undefined {
  if (raw === undefined) return undefined;
  if (!CHANNELS.includes(raw as Channel)) throw invalidInput('channel', `one of ${CHANNELS.join(', ')}`);
  return raw as Channel;
}

function printRows(rows: DeliveryRow[]): void {
  for (const r of rows) {
    const when = r.sentAt ?? r.nextAttemptAt ?? r.updatedAt;
    process.stdout.write(`${String(r.id).padStart(8)}  ${(r.creditNoteNumber ?? r.invoiceNumber).padEnd(20)} ${r.channel.padEnd(9)}${r.status.padEnd(9)} ${String(r.attempts).padStart(2)}/${r.maxAttempts}  ${when}  ${r.recipient}\n`);
    if (r.lastError && r.status !== 'sent') process.stdout.write(`          ${r.errorKind ?? 'error'}: ${r.lastError}\n`);
  }
}

/** `billflow deliveries`: status per invoice × channel, the dead letters, requeue. */
export function registerDeliveries(program: Command, global: () => GlobalOptions): void {
  const cmd = program.command('deliveries').description('invoice delivery by email, SMS and WhatsApp: status, dead letters, requeue');
  cmd
    .command('list', { isDefault: true })
    .description('list deliveries (default: the dead letters)')
    .option('--status <status>', `one of ${DELIVERY_STATUSES.join(', ')}, or all`, 'dead')
    .option('--channel <channel>', CHANNELS.join(' | '))
    .option('--invoice <id>', 'one invoice')
    .option('--customer <id>', 'one customer')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (flags: { status: string; channel?: string; invoice?: string; customer?: string; limit: string; json?: boolean }) => {
      const status = flags.status === 'all' ? undefined : (flags.status as DeliveryStatus);
      if (status !== undefined && !DELIVERY_STATUSES.includes(status)) throw invalidInput('status', `one of ${DELIVERY_STATUSES.join(', ')}, all`);
      const filter = {
        status, channel: channelOption(flags.channel), limit: intOption('--limit', flags.limit, 1, 1000),
        invoiceId: flags.invoice === undefined ? undefined : intOption('--invoice', flags.invoice, 1),
        customerId: flags.customer === undefined ? undefined : intOption('--customer', flags.customer, 1),
      };
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const rows = await listDeliveries(ctx.pool, filter);
        if (flags.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else if (rows.length === 0) process.stdout.write(`no ${status ?? ''} deliveries\n`);
        else printRows(rows);
      } finally {
        await ctx.close();
      }
    });
  cmd
    .command('counts')
    .description('deliveries per channel and status, and where the embedded outbox writes')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const counts = await deliveryCounts(ctx.pool);
        const outbox = outboxDirOf(ctx.config.delivery, ctx.config.dataDir);
        if (flags.json) process.stdout.write(`${JSON.stringify({ counts, outbox })}\n`);
        else {
          for (const c of counts) process.stdout.write(`${c.channel.padEnd(9)} ${c.status.padEnd(9)} ${String(c.count).padStart(9)}\n`);
          process.stdout.write(`unconfigured channels write to ${outbox}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
  cmd
    .command('requeue')
    .description('send dead letters again (by id, or --all-dead), with a fresh set of attempts')
    .argument('[ids...]', 'delivery ids')
    .option('--all-dead', 'every dead letter (of --channel)')
    .option('--channel <channel>', CHANNELS.join(' | '))
    .option('--json', 'print JSON')
    .action(async (ids: string[], flags: { allDead?: boolean; channel?: string; json?: boolean }) => {
      const parsed = ids.map((id) => intOption('id', id, 1));
      if (parsed.length === 0 && !flags.allDead) throw invalidInput('ids', 'give delivery ids, or --all-dead');
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const result = await requeueDeliveries(ctx.pool, { ids: parsed, allDead: flags.allDead, channel: channelOption(flags.channel) });
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`requeued ${result.requeued} deliver${result.requeued === 1 ? 'y' : 'ies'}; the workers send them (billflow worker, or any run/serve)\n`);
      } finally {
        await ctx.close();
      }
    });
}
