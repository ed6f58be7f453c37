/**
 * Body of the seed generator thread. The main thread asks for one chunk at a time
 * ({type: 'generate'}), a few chunks ahead of what Postgres is ingesting; each answer transfers
 * the chunk's COPY text (no copy). After the last chunk comes {type: 'done', result}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkGenerator, type EncodedChunk, type GeneratorConfig, type GeneratorResult } from './chunk-generator.ts';

export type ToGenerator = { type: 'generate' };
export type FromGenerator =
  | { type: 'chunk'; chunk: EncodedChunk }
  | { type: 'done'; result: GeneratorResult }
  | { type: 'error'; message: string; stack: string | undefined };

/** Each table's bytes sit in a buffer of their own (ByteSink.take), so all can be handed over. */
function transferList(chunk: EncodedChunk): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const data of Object.values(chunk.tables)) if (data && data.buffer instanceof ArrayBuffer) out.push(data.buffer);
  return out;
}

const port = parentPort;
if (!port) throw new Error('generator-thread.ts must run in a worker thread');
const generator = new ChunkGenerator(workerData as GeneratorConfig);

port.on('message', (message: ToGenerator) => {
  if (message.type !== 'generate') return;
  try {
    const chunk = generator.next();
    if (chunk) port.postMessage({ type: 'chunk', chunk } satisfies FromGenerator, transferList(chunk));
    if (generator.finished) {
      port.postMessage({ type: 'done', result: generator.result() } satisfies FromGenerator);
      port.close();
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', message: e.message, stack: e.stack } satisfies FromGenerator);
    port.close();
  }
});
