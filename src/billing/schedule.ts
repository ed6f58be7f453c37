import type pg from 'pg';
import { parseCrontab } from 'graphile-worker';
import type { Config } from '../config/index.ts';
import { BillflowError } from '../errors.ts';

export interface Schedule {
  name: string;
  cron: string;
  enabled: boolean;
  source: 'database' | 'config';
}

/** Validates a 5-field cron expression with graphile-worker's own parser (UTC). */
export function validateCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  let problem = fields.length === 5 ? null : 'expected 5 fields';
  if (!problem) {
    try {
      parseCrontab(`${fields.join(' ')} billing_monthly_run`);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  if (problem) {
    throw new BillflowError('invalid_input', `cron: expected 5 fields 'minute hour day month weekday' (UTC), e.g. '0 2 1 * *', got '${cron}' (${problem})`, {
      details: [{ field: 'cron', message: problem }],
    });
  }
  return fields.join(' ');
}

/** Schedules stored in the database (`billflow schedule set`) plus the one in config, if any. */
export async function listSchedules(pool: pg.Pool, config: Config): Promise<Schedule[]> {
  const rows = (await pool.query<{ name: string; cron: string; enabled: boolean }>('select name, cron, enabled from schedules order by name')).rows;
  const out: Schedule[] = rows.map((r) => ({ ...r, source: 'database' }));
  if (config.schedule.monthlyRun && !out.some((s) => s.name === 'monthly-run')) {
    out.push({ name: 'monthly-run', cron: validateCron(config.schedule.monthlyRun), enabled: true, source: 'config' });
  }
  return out;
}

export async function setSchedule(pool: pg.Pool, name: string, cron: string | null): Promise<void> {
  if (!/^[a-z0-9-]{1,40}$/.test(name)) {
    throw new BillflowError('invalid_input', `name: lowercase letters, digits and '-' only, got '${name}'`, { details: [{ field: 'name', message: 'invalid name' }] });
  }
  if (cron === null) {
    await pool.query('update schedules set enabled = false, updated_at = now() where name = $1', [name]);
    return;
  }
  await pool.query(
    `insert into schedules (name, cron) values ($1, $2)
     on conflict (name) do update set cron = excluded.cron, enabled = true, updated_at = now()`,
    [name, validateCron(cron)],
  );
}
