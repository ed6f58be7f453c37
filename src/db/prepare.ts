import type pg from 'pg';
import { runMigrations } from 'graphile-worker';
import { migrate } from './migrate.ts';

/** Brings a database up to date: Billflow's migrations, then graphile-worker's own schema. */
export async function prepareDatabase(pool: pg.Pool, connectionString: string): Promise<{ applied: number[] }> {
  const applied = await migrate(pool);
  await runMigrations({ connectionString, logger: undefined });
  return { applied };
}
