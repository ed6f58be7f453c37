import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';

export const PERIOD = '2026-11';

export interface BilledDatabase {
  db: TestDatabase;
  dataDir: string;
  /** Invoices issued, and those with a rendered PDF. */
  invoices: number;
}

/**
 * A database with a billed period and every invoice's PDF rendered, through the real CLI. Delivery
 * is switched off while billing (the dispatcher then reads nothing, its cursor stays at the start),
 * so each test turns it on against its own peers.
 */
export async function billedDatabase(customers: number): Promise<BilledDatabase> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'billflow-delivery-'));
  const config = join(dataDir, 'billing.config.json');
  writeFileSync(config, JSON.stringify({ delivery: { enabled: false } }));
  const env = { BILLFLOW_DATA_DIR: dataDir };
  const seeded = await runCli(['--config', config, 'seed', '--customers', String(customers), '--seed', '5', '--period', PERIOD, '--json'], { databaseUrl: db.url, env });
  assert.equal(seeded.code, 0, seeded.stderr);
  const run = await runCli(['--config', config, 'run', '--period', PERIOD, '--issue-date', '2026-12-01', '--workers', '1', '--json'], { databaseUrl: db.url, env });
  assert.equal(run.code, 0, run.stderr);
  const runId = JSON.parse(run.stdout.trim().split('\n').at(-1)!).runId;
  const pdf = await runCli(['--config', config, 'pdf', '--run', String(runId), '--threads', '1', '--json'], { databaseUrl: db.url, env, timeoutMs: 300_000 });
  assert.equal(pdf.code, 0, pdf.stderr);
  const summary = JSON.parse(pdf.stdout.trim());
  assert.equal(summary.rendered, summary.invoices);
  return { db, dataDir, invoices: summary.invoices };
}
