import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { loadConfig } from '../config/index.ts';
import type { Log } from '../log.ts';
import { collect } from './collection/collect.ts';
import { COLLECT_TASK, JANITOR_TASK, scheduleJanitor } from './collection/queue.ts';
import { resolveUnknown } from './janitor/janitor.ts';
import { createProvider } from './providers/index.ts';
import { DEFAULT_PAYMENTS_SETTINGS, type PaymentsSettings } from './settings.ts';

function settingsOf(runner: object): PaymentsSettings {
  const given = (runner as { payments?: PaymentsSettings }).payments;
  if (given) return given;
  try {
    return loadConfig().payments; // runners started without them read them as any command would
  } catch {
    return DEFAULT_PAYMENTS_SETTINGS;
  }
}

/** The graphile-worker tasks of payments: collect a shard's invoices, and the janitor. */
export function paymentTasks(pool: pg.Pool, log: Log, runner: object): Record<string, Task> {
  const settings = settingsOf(runner);
  const provider = createProvider(pool, settings);
  const deps = { pool, provider, log, settings, clock: { now: () => new Date() } };
  return {
    [COLLECT_TASK]: async (payload) => {
      const { invoiceIds, runId, trigger } = payload as { invoiceIds?: number[]; runId?: number | null; trigger?: 'run' | 'requeue' | 'collect' };
      if (!settings.collectOnRun && trigger === 'run') return;
      const summary = await collect(deps, { invoiceIds: invoiceIds ?? null, runId: runId ?? null, trigger: trigger ?? 'run' });
      log.info(`collected ${summary.attempts} invoice(s): ${summary.paid} paid, ${summary.retry} to retry, ${summary.failed} failed, ${summary.unknown} unknown`);
      await scheduleJanitor(pool, settings.callTimeoutMs);
    },
    [JANITOR_TASK]: async () => {
      const summary = await resolveUnknown(deps);
      if (summary.checked > 0 || summary.orphans > 0) log.info(`payments janitor: ${JSON.stringify(summary)}`);
      await scheduleJanitor(pool, settings.callTimeoutMs);
    },
  };
}
