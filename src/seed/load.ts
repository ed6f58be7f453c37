/**
 * Writes encoded chunks through COPY, in one of two modes:
 *
 * - incremental: each chunk is its own transaction on one of a few connections, with every
 *   constraint and index in place. For small seeds into databases that already hold data.
 * - bulk: the whole seed is ONE transaction on one connection, with the seeded tables' foreign
 *   keys and secondary indexes dropped and rebuilt around the load (see bulk.ts). For large
 *   seeds, where row-by-row foreign-key checks and random-order index inserts dominate.
 */
import type pg from 'pg';
import type { EncodedChunk } from './chunk-generator.ts';
import type { ChunkSource } from './chunk-source.ts';
import { copyEncoded } from './copy-encoded.ts';
import { TABLE_COLUMNS, TABLE_ORDER } from './rows.ts';

/**
 * Takes chunks from `source` in id order and hands each to an idle client. `inTransaction` says
 * the clients are already inside the caller's transaction (bulk mode): chunks then neither begin
 * nor commit. Reports progress after each chunk is written.
 */
export async function writeChunks(
  clients: readonly pg.PoolClient[],
  source: ChunkSource,
  total: number,
  inTransaction: boolean,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const idle = [...clients];
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  let done = 0;
  onProgress?.(0, total);
  try {
    for (;;) {
      while (idle.length === 0) await Promise.race(running);
      if (failure !== null) break;
      const chunk = await source.next();
      if (chunk === null) break;
      const client = idle.pop() as pg.PoolClient;
      const task: Promise<void> = (inTransaction ? copyChunk(client, chunk) : writeChunkTransaction(client, chunk))
        .then(
          () => {
            done += chunk.customers;
            onProgress?.(done, total);
          },
          (error: unknown) => {
            failure ??= error;
          },
        )
        .finally(() => {
          idle.push(client);
          running.delete(task);
        });
      running.add(task);
    }
  } catch (error) {
    failure ??= error;
  }
  await Promise.all(running);
  if (failure !== null) throw failure;
}

async function copyChunk(client: pg.PoolClient, chunk: EncodedChunk): Promise<void> {
  // Parents first, so foreign keys (when present) hold at the end of every statement.
  for (const table of TABLE_ORDER) {
    const data = chunk.tables[table];
    if (data) await copyEncoded(client, table, TABLE_COLUMNS[table], data);
  }
}

async function writeChunkTransaction(client: pg.PoolClient, chunk: EncodedChunk): Promise<void> {
  await client.query('begin');
  try {
    // Losing the last few commits in a server crash is harmless for seed data; fsync waits are not.
    await client.query('set local synchronous_commit = off');
    await copyChunk(client, chunk);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
