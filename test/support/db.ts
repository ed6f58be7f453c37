import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../src/db/pool.ts';
import { prepareDatabase } from '../../src/db/prepare.ts';

/**
 * Each test file gets its own fresh, migrated database (design convention 6). The server is the
 * one named by BILLFLOW_TEST_DATABASE_URL (CI's external-Postgres suite) or, by default, the
 * shared embedded instance under .billflow/test (started once, reused by every test process).
 */
export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

async function adminUrl(): Promise<string> {
  const external = process.env.BILLFLOW_TEST_DATABASE_URL;
  if (external) return external;
  const { openDatabase } = await import('../../src/db/connect.ts');
  const db = await openDatabase({ dataDir: '.billflow/test', log: () => undefined });
  return db.connectionString;
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = await adminUrl();
  const name = `billflow_test_${randomBytes(5).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`create database ${name}`);
  await adminClient.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), { max: 8 });
  if (options.migrate !== false) await prepareDatabase(pool, url.toString());
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
