import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { loadConfig } from '../../config/index.ts';
import { DEFAULT_DOCUMENT_SETTINGS, openStore, type DocumentSettings } from '../../documents/index.ts';
import type { Log } from '../../log.ts';
import { openChannels } from '../channels/index.ts';
import { deliverySettings, type DeliverySettings } from '../settings.ts';
import { loadMessageTemplates } from '../templates/message-templates.ts';
import { DISPATCH_TASK, SEND_TASK } from './delivery-sql.ts';
import { runDispatch } from './dispatch.ts';
import { SharedRateLimiter } from '../../limits/index.ts';
import { processSendJob, type DeliveryContext } from './send.ts';

interface Shared {
  key: string;
  pool: pg.Pool;
  ctx: Omit<DeliveryContext, 'pool' | 'log'>;
}
/** Channels (SMTP pools), limiters, templates and the store: one set per thread, reused by every job. */
let shared: Shared | null = null;

export async function threadDeliveryContext(pool: pg.Pool, settings: DeliverySettings, documents: DocumentSettings, dataDir: string): Promise<Omit<DeliveryContext, 'pool' | 'log'>> {
  const key = JSON.stringify([settings, documents, dataDir]);
  if (shared?.key !== key || shared.pool !== pool) {
    const previous = shared;
    const channels = openChannels(settings, dataDir);
    // A provider's rate limit guards the provider, across every thread and process (a bucket in
    // Postgres per channel × provider); the embedded file outbox has none to guard.
    const rate = (channel: keyof typeof channels, perSec: number) =>
      new SharedRateLimiter(pool, `delivery:${channel}:${channels[channel].provider}`, channels[channel].provider === 'file' ? 0 : perSec);
    shared = {
      key,
      pool,
      ctx: {
        settings,
        channels,
        limiters: {
          email: rate('email', settings.email.ratePerSec), sms: rate('sms', settings.sms.ratePerSec), whatsapp: rate('whatsapp', settings.whatsapp.ratePerSec),
        },
        store: await openStore(documents, dataDir),
        templates: loadMessageTemplates(settings.templatesDir),
      },
    };
    if (previous) await Promise.all(Object.values(previous.ctx.channels).map((c) => c.close()));
  }
  return shared.ctx;
}

/** Closes this thread's channels (SMTP connections); the next job opens them again. */
export async function closeDeliveryChannels(): Promise<void> {
  const current = shared;
  shared = null;
  if (current) await Promise.all(Object.values(current.ctx.channels).map((c) => c.close()));
}

function settingsOf(runner: object): { delivery: DeliverySettings; documents: DocumentSettings; dataDir: string } {
  const given = runner as { delivery?: DeliverySettings; documents?: DocumentSettings; dataDir?: string };
  if (given.delivery && given.documents && given.dataDir) return { delivery: given.delivery, documents: given.documents, dataDir: given.dataDir };
  try {
    // Runners started without these settings read them as any command would: file ← env.
    const config = loadConfig();
    return { delivery: given.delivery ?? config.delivery, documents: given.documents ?? config.documents, dataDir: given.dataDir ?? config.dataDir };
  } catch {
    return { delivery: given.delivery ?? deliverySettings(), documents: given.documents ?? DEFAULT_DOCUMENT_SETTINGS, dataDir: given.dataDir ?? '.billflow' };
  }
}

/** Delivery's tasks for graphile-worker's task list (billing/jobs.ts). */
export function deliveryTasks(pool: pg.Pool, log: Log, runner: object): Record<string, Task> {
  const s = settingsOf(runner);
  return {
    [DISPATCH_TASK]: async () => {
      await runDispatch({ pool, log, settings: s.delivery });
    },
    [SEND_TASK]: async (payload, helpers) => {
      const { ids } = payload as { ids: number[] };
      const ctx = await threadDeliveryContext(pool, s.delivery, s.documents, s.dataDir);
      await processSendJob({ ...ctx, pool, log }, { ids, jobId: Number(helpers.job.id) });
    },
  };
}
