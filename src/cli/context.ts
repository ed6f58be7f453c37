import type pg from 'pg';
import { loadConfig, type Config, type ConfigInput, type DeepPartial } from '../config/index.ts';
import { openDatabase } from '../db/connect.ts';
import { createPool } from '../db/pool.ts';
import { prepareDatabase } from '../db/prepare.ts';
import { createLog, type Log } from '../log.ts';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
}

export interface CliContext {
  config: Config;
  pool: pg.Pool;
  connectionString: string;
  embedded: boolean;
  log: Log;
  close(): Promise<void>;
}

/** Config → database (embedded or DATABASE_URL) → migrated pool. Every command starts here. */
export async function openContext(global: GlobalOptions, flags: DeepPartial<ConfigInput> = {}, options: { quiet?: boolean } = {}): Promise<CliContext> {
  const config = loadConfig({
    file: global.config,
    flags: { ...flags, dataDir: global.dataDir, databaseUrl: global.databaseUrl },
  });
  const log = createLog('billflow');
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log: options.quiet ? () => undefined : (line: string) => process.stderr.write(`${line}\n`),
  });
  const pool = createPool(db.connectionString, { max: 10 });
  try {
    await prepareDatabase(pool, db.connectionString);
  } catch (error) {
    await pool.end();
    await db.close();
    throw error;
  }
  return {
    config,
    pool,
    connectionString: db.connectionString,
    embedded: db.embedded,
    log,
    async close() {
      await pool.end();
      await db.close();
    },
  };
}
