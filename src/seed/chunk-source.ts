/**
 * Where the loader gets encoded chunks from: a generator thread (default), so generating and
 * encoding run on one core while Postgres ingests on another, or this thread (threads: false).
 * Both hand out identical chunks in customer-id order. The thread works at most `ahead` chunks
 * in front of the loader, which bounds memory.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { ChunkGenerator, type EncodedChunk, type GeneratorConfig, type GeneratorResult } from './chunk-generator.ts';
import type { FromGenerator, ToGenerator } from './generator-thread.ts';

export interface ChunkSource {
  readonly chunks: number;
  /** The next chunk in id order; null after the last. */
  next(): Promise<EncodedChunk | null>;
  /** Final id counters and tallies, available once the last chunk has been generated. */
  result(): Promise<GeneratorResult>;
  close(): Promise<void>;
}

export function inProcessSource(config: GeneratorConfig): ChunkSource {
  const generator = new ChunkGenerator(config);
  return {
    chunks: generator.chunks,
    async next() {
      const chunk = generator.next();
      await yieldToEventLoop(); // let COPY streams of other connections progress
      return chunk;
    },
    async result() {
      return generator.result();
    },
    async close() {},
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // rejections are reported through next() as well
  return { promise, resolve, reject };
}

export function threadSource(config: GeneratorConfig, ahead: number): ChunkSource {
  const total = Math.ceil(config.count / config.chunkSize);
  const worker = new Worker(new URL('./generator-entry.mjs', import.meta.url), { workerData: config });
  const ready: EncodedChunk[] = [];
  const result = deferred<GeneratorResult>();
  let waiting: Deferred<EncodedChunk | null> | null = null;
  let failure: Error | null = null;
  let requested = 0;
  let handedOut = 0;
  let finished = false;

  const fail = (error: Error): void => {
    if (failure || finished) return;
    failure = error;
    waiting?.reject(error);
    waiting = null;
    result.reject(error);
  };
  worker.on('message', (message: FromGenerator) => {
    if (message.type === 'chunk') {
      if (waiting) {
        waiting.resolve(message.chunk);
        waiting = null;
      } else ready.push(message.chunk);
    } else if (message.type === 'done') {
      finished = true;
      result.resolve(message.result);
    } else {
      const error = new Error(`seed generator thread failed: ${message.message}`);
      if (message.stack) error.stack = message.stack;
      fail(error);
    }
  });
  worker.on('error', (error) => fail(error));
  // Messages posted before the thread ended arrive first; look one turn later to be sure.
  worker.on('exit', (code) => setImmediate(() => fail(new Error(`seed generator thread exited early (code ${code})`))));

  const request = (): void => {
    while (requested < total && requested - handedOut < ahead) {
      worker.postMessage({ type: 'generate' } satisfies ToGenerator);
      requested++;
    }
  };
  request();
  return {
    chunks: total,
    next() {
      if (failure) return Promise.reject(failure);
      if (handedOut >= total) return Promise.resolve(null);
      handedOut++;
      request();
      const chunk = ready.shift();
      if (chunk) return Promise.resolve(chunk);
      waiting = deferred<EncodedChunk | null>();
      return waiting.promise;
    },
    result: () => result.promise,
    async close() {
      if (!finished) await worker.terminate();
    },
  };
}
