/**
 * Bulk mode: the whole seed in ONE transaction that locks the seeded tables, drops their foreign
 * keys and the indexes no remaining foreign key needs, COPYs every chunk, re-creates the indexes
 * (sort-based builds, parallel where the server allows) and re-adds the foreign keys (one
 * validating join each), then commits.
 *
 * Why: per-row foreign-key triggers and random-order index inserts are most of Postgres' work
 * in a large load. Measured on the 2-core dev box (system Postgres 15): 620k usage events COPY
 * in 2.5 s without their two foreign keys, 8.5 s with them, and re-validating both took 0.25 s;
 * a unique index over 1M random e-mails costs ~5 s of inserts but 1.3–2.0 s to build.
 *
 * Safety: every drop happens inside the transaction, so any failure — an error, a duplicate
 * found by a unique rebuild, a violated foreign key, a killed process, a lost connection — rolls
 * the drops back with the data: the schema is never left without a constraint or an index, and
 * re-created ones keep their names and definitions (pg_get_constraintdef / pg_get_indexdef).
 * The cost: the seeded tables (and the small tables their keys reference) are locked for the
 * duration, and the rebuilds scan whole tables — which is why chooseMode() picks bulk only for
 * seeds at least as large as what is already there.
 */
import type pg from 'pg';
import { TABLE_ORDER } from './rows.ts';

export type LoadMode = 'incremental' | 'bulk';

export const BULK_MIN_CUSTOMERS = 20_000;

export function chooseMode(count: number, existingCustomers: number): LoadMode {
  return count >= BULK_MIN_CUSTOMERS && count >= existingCustomers ? 'bulk' : 'incremental';
}

/** Waiting for the seeded tables' locks fails instead of hanging behind a long transaction. */
const LOCK_TIMEOUT = '60s';
/** Memory for the validation hash joins and the index sorts (per operation). */
const WORK_MEM = '256MB';

export interface DroppedForeignKey {
  table: string;
  name: string;
  definition: string; // e.g. FOREIGN KEY (customer_id) REFERENCES customers(id)
  referenced: string;
  comment: string | null;
}

export interface DroppedIndex {
  table: string;
  name: string; // regclass text: quoted and schema-qualified as needed
  constraintName: string | null; // set for primary key / unique constraints
  definition: string; // constraint definition, or the full CREATE INDEX statement
  comment: string | null; // on the constraint, or on the index
}

export interface BulkPlan {
  foreignKeys: DroppedForeignKey[];
  indexes: DroppedIndex[];
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function foreignKeysOf(client: pg.PoolClient, tables: readonly string[]): Promise<DroppedForeignKey[]> {
  const { rows } = await client.query<DroppedForeignKey>(
    `select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as definition,
            c.confrelid::regclass::text as referenced, obj_description(c.oid, 'pg_constraint') as comment
     from pg_constraint c
     where c.contype = 'f' and c.conrelid = any($1::regclass[])
     order by c.conrelid::regclass::text, c.conname`,
    [tables],
  );
  return rows;
}

/** Indexes on `tables` that no foreign key (anywhere) depends on. Indexes with state a rebuild
 * would lose (CLUSTER ON, replica identity) or that are invalid are left alone. */
async function droppableIndexes(client: pg.PoolClient, tables: readonly string[]): Promise<DroppedIndex[]> {
  const { rows } = await client.query<DroppedIndex>(
    `select i.indrelid::regclass::text as table, i.indexrelid::regclass::text as name, c.conname as "constraintName",
            coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid)) as definition,
            coalesce(obj_description(c.oid, 'pg_constraint'), obj_description(i.indexrelid, 'pg_class')) as comment
     from pg_index i
     left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u')
     where i.indrelid = any($1::regclass[])
       and i.indisvalid and not i.indisclustered and not i.indisreplident
       and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid)
       and not exists (select 1 from pg_constraint x where x.conindid = i.indexrelid and x.contype not in ('p', 'u'))
     order by 1, 2`,
    [tables],
  );
  return rows;
}

/** Opens the bulk transaction and takes the locks (one sorted statement: no deadlocks). */
export async function beginBulk(client: pg.PoolClient): Promise<void> {
  await client.query('begin');
  await client.query('set local synchronous_commit = off');
  await client.query(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
  await client.query(`set local work_mem = '${WORK_MEM}'`);
  await client.query(`set local maintenance_work_mem = '${WORK_MEM}'`);
  const referenced = (await foreignKeysOf(client, TABLE_ORDER)).map((k) => k.referenced);
  const locked = [...new Set([...TABLE_ORDER, ...referenced])].sort();
  await client.query(`lock table ${locked.join(', ')} in access exclusive mode`);
}

/** Drops the seeded tables' foreign keys, then the indexes nothing depends on any more. */
export async function dropConstraints(client: pg.PoolClient): Promise<BulkPlan> {
  const foreignKeys = await foreignKeysOf(client, TABLE_ORDER);
  for (const k of foreignKeys) await client.query(`alter table ${k.table} drop constraint ${ident(k.name)}`);
  const indexes = await droppableIndexes(client, TABLE_ORDER);
  for (const ix of indexes) {
    if (ix.constraintName) await client.query(`alter table ${ix.table} drop constraint ${ident(ix.constraintName)}`);
    else await client.query(`drop index ${ix.name}`);
  }
  return { foreignKeys, indexes };
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Rebuilds the indexes (unique ones re-check uniqueness), then re-adds and validates the keys. */
export async function restoreConstraints(client: pg.PoolClient, plan: BulkPlan, log?: (message: string) => void): Promise<void> {
  for (const ix of plan.indexes) {
    const started = performance.now();
    if (ix.constraintName) {
      await client.query(`alter table ${ix.table} add constraint ${ident(ix.constraintName)} ${ix.definition}`);
      if (ix.comment !== null) await client.query(`comment on constraint ${ident(ix.constraintName)} on ${ix.table} is ${literal(ix.comment)}`);
    } else {
      await client.query(ix.definition);
      if (ix.comment !== null) await client.query(`comment on index ${ix.name} is ${literal(ix.comment)}`);
    }
    log?.(`seed: rebuilt ${ix.name} in ${Math.round(performance.now() - started)} ms`);
  }
  for (const k of plan.foreignKeys) {
    const started = performance.now();
    await client.query(`alter table ${k.table} add constraint ${ident(k.name)} ${k.definition}`);
    if (k.comment !== null) await client.query(`comment on constraint ${ident(k.name)} on ${k.table} is ${literal(k.comment)}`);
    log?.(`seed: validated ${k.name} in ${Math.round(performance.now() - started)} ms`);
  }
}
