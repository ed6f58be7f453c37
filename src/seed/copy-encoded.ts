/**
 * COPY of text that is already in COPY format — rows encoded by encodeCopyRow (src/db/copy.ts
 * owns the escaping) in the seed generator thread. copyRows encodes on the calling thread, row
 * by row through an async iterator; for the seed's millions of rows that thread is the
 * bottleneck (measured: 100k customers took 3.5 s to COPY through copyRows with Postgres busy
 * 2.5 s of it; 2.8 s from pre-encoded buffers), so the encoding moves to the generator thread
 * and this function only streams the bytes.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

export async function copyEncoded(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  data: Uint8Array,
): Promise<void> {
  const target = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await pipeline(Readable.from([bytes]), target);
}
