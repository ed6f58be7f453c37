import type { Command } from 'commander';
import { createApiKey } from '../server/api-keys.ts';
import { startServer, type RunningServer } from '../server/server.ts';
import { openContext, type CliContext, type GlobalOptions } from './context.ts';
import { intOption, runnerSettings } from './options.ts';

const DEMO_KEY_NAME = 'demo (npm start)';

export interface ServeFlags {
  port?: string;
  host?: string;
  workers: boolean;
  threads?: string;
}

/** Starts the API on an open context; shared by `billflow serve` and the demo. */
export async function serveApi(ctx: CliContext, flags: ServeFlags): Promise<RunningServer> {
  const port = flags.port === undefined ? ctx.config.api.port : intOption('--port', flags.port, 0, 65_535);
  const threads = !flags.workers ? 0 : flags.threads === undefined ? ctx.config.billing.workers : intOption('--threads', flags.threads, 0, 64);
  return startServer(
    { pool: ctx.pool, config: ctx.config, log: ctx.log },
    { port, host: flags.host ?? ctx.config.api.host, threads, runner: runnerSettings(ctx), connectionString: ctx.connectionString },
  );
}

/** Resolves on SIGINT/SIGTERM, after closing the server (in-flight requests finish first). */
export function untilStopped(server: RunningServer, ctx: CliContext): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write('stopping the API server…\n');
      void server.close().finally(() => void ctx.close().finally(resolve));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerServe(program: Command, global: () => GlobalOptions): void {
  program
    .command('serve')
    .description('run the HTTP API (and local worker threads for billing runs started over it)')
    .option('--port <port>', 'port to listen on (default: api.port, 3000; 0 = any free port)')
    .option('--host <host>', 'address to listen on (default: api.host, 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--threads <n>', 'worker threads for billing jobs (default: billing.workers)')
    .option('--no-workers', 'run no worker threads here (leave billing jobs to `billflow worker`)')
    .action(async (flags: ServeFlags) => {
      const ctx = await openContext(global());
      let server: RunningServer;
      try {
        server = await serveApi(ctx, flags);
      } catch (error) {
        await ctx.close();
        throw error;
      }
      process.stdout.write(`Billflow API listening on ${server.url} (docs: ${server.url}/api/docs; dashboard: ${server.url}/dashboard; ${server.threads} worker thread(s))\n`);
      process.stdout.write('Create a key with: billflow keys create --scopes read,write,admin --name me\n');
      await untilStopped(server, ctx);
    });
}

/**
 * The end of `npm start` at a terminal: the API on api.port (or any free port if that one is
 * taken), a fresh demo key (earlier demo keys are revoked), a request to try, until Ctrl-C.
 */
export async function serveAfterDemo(ctx: CliContext): Promise<void> {
  let server: RunningServer;
  try {
    try {
      server = await serveApi(ctx, { workers: true });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
      server = await serveApi(ctx, { workers: true, port: '0' });
    }
  } catch (error) {
    await ctx.close();
    throw error;
  }
  await ctx.pool.query(`update api_keys set revoked_at = now() where name = $1 and revoked_at is null`, [DEMO_KEY_NAME]);
  const { key } = await createApiKey(ctx.pool, { name: DEMO_KEY_NAME, scopes: ['read', 'write', 'admin'] });
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  out(`The API is running at ${server.url}  (docs: ${server.url}/api/docs)`);
  out(`  dashboard: ${server.url}/dashboard#key=${key}`);
  out(`  demo API key (read, write, admin; replaced at the next npm start): ${key}`);
  out(`  try: curl -s -H 'Authorization: Bearer ${key}' '${server.url}/api/v1/invoices?limit=2'`);
  out('  Ctrl-C stops it.');
  await untilStopped(server, ctx);
}
