/**
 * A running API server: the app listening on host:port, plus (unless threads is 0) local worker
 * threads taking billing jobs, so runs started over the API are executed by this process too.
 */
import type { FastifyInstance } from 'fastify';
import { startThreadPool, type RunnerSettings, type ThreadPool } from '../billing/index.ts';
import { buildApp } from './app.ts';
import type { ServerDeps } from './route.ts';

export interface StartServerOptions {
  port: number;
  host: string;
  /** Worker threads for billing jobs; 0 = none (leave them to `billflow worker`). */
  threads: number;
  runner: RunnerSettings;
  connectionString: string;
}

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  threads: number;
  close(): Promise<void>;
}

export async function startServer(deps: ServerDeps, options: StartServerOptions): Promise<RunningServer> {
  const app = await buildApp(deps, { connectionString: options.connectionString });
  let pool: ThreadPool | null = null;
  try {
    await app.listen({ port: options.port, host: options.host });
    if (options.threads > 0) pool = await startThreadPool(options.threads, options.runner, deps.log);
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  return {
    app,
    url,
    threads: pool?.size ?? 0,
    async close() {
      await app.close();
      await pool?.stop();
    },
  };
}
