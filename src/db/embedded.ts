import fs from 'node:fs';
import path from 'node:path';
import { ensureCluster } from './embedded-cluster.ts';
import { connectionStringFor, ensureDatabase, probe } from './embedded-client.ts';
import { withLock } from './embedded-lock.ts';
import { serverOsUser } from './embedded-os-user.ts';
import {
  postmasterOwnership,
  readPostmasterPid,
  runningPostmaster,
  startServer,
  stopPostmaster,
} from './embedded-postmaster.ts';
import { isAlive, isRoot, sleep } from './embedded-process.ts';
import { attach, installExitHooks, readSessions, release, serialize } from './embedded-sessions.ts';
import {
  contextFor,
  pathsFor,
  type Context,
  type Credentials,
  type EmbeddedPostgresOptions,
  type EmbeddedTimeouts,
} from './embedded-settings.ts';

export { DEFAULT_TIMEOUTS, EMBEDDED_SERVER_SETTINGS } from './embedded-settings.ts';
export type { EmbeddedPostgresOptions, EmbeddedTimeouts } from './embedded-settings.ts';

/**
 * One embedded Postgres cluster per data dir, shared by every Billflow process that uses that dir
 * (serve, run, worker, test files…). See docs/embedded-postgres.md for the whole picture.
 *
 *   <dataDir>/pg/                  the cluster (initdb'd once, into pg.init/ then renamed: atomic)
 *   <dataDir>/pg.log               server log (rotated to pg.log.1 past LOG_ROTATE_BYTES, at start)
 *   <dataDir>/pg-credentials.json  user/password/database (0600)
 *   <dataDir>/sessions/<pid>.json  one per live process attached to the instance
 *   <dataDir>/lock                 short-lived start/stop lock (holder pid; stale when it is dead)
 *
 * The server runs detached (own session, not our child in any way that matters) so it outlives the
 * process that started it; the next process finds it through pg/postmaster.pid. Whoever detaches
 * last (session files of dead pids do not count) stops it. Everything that decides "reuse, start or
 * stop" runs under the lock, so concurrent processes never start two servers or stop one in use.
 *
 * The pieces: embedded-settings (options, defaults, paths), embedded-lock, embedded-sessions
 * (attach, detach, exit hooks), embedded-postmaster (start, stop, postmaster.pid), embedded-cluster
 * (initdb, credentials), embedded-os-user (root), embedded-binaries, embedded-client, embedded-process.
 */

export interface EmbeddedPostgres {
  connectionString: string;
  port: number;
  /** Absolute data dir. */
  dataDir: string;
  /** True when this open started the server (false: reused a running one). */
  started: boolean;
  /** Detach; stops the server when no other live process uses it (unless keepRunning). */
  close(): Promise<void>;
}

export interface EmbeddedStatus {
  running: boolean;
  pid: number | null;
  port: number | null;
  /** Pids of live attached processes. */
  sessions: number[];
}

export async function openEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const root = path.resolve(options.dataDir);
  fs.mkdirSync(root, { recursive: true, mode: isRoot() ? 0o711 : 0o700 });
  const paths = pathsFor(fs.realpathSync(root));
  const ctx = contextFor(paths, options);
  installExitHooks();
  return serialize(paths.root, async () => {
    const { port, started, credentials } = await withLock(ctx, async () => {
      const result = await ensureRunning(ctx);
      attach(ctx);
      return result;
    });
    return handle(paths.root, connectionStringFor(credentials, port), port, started);
  });
}

/** Stops the server of a data dir whoever uses it (`billflow db stop`). True if one was running. */
export async function stopEmbeddedPostgres(
  dataDir: string,
  options: { log?: (line: string) => void; timeouts?: Partial<EmbeddedTimeouts> } = {},
): Promise<boolean> {
  const paths = pathsFor(path.resolve(dataDir));
  if (!fs.existsSync(paths.root)) return false;
  const ctx = contextFor(paths, { ...options, dataDir });
  return withLock(ctx, async () => {
    const pm = runningPostmaster(paths);
    if (!pm) return false;
    ctx.log(`stopping embedded Postgres (pid ${pm.pid}, port ${pm.port})`);
    await stopPostmaster(ctx, pm.pid);
    return true;
  });
}

/** What runs in a data dir, read without the lock (a snapshot). */
export function embeddedStatus(dataDir: string): EmbeddedStatus {
  const paths = pathsFor(path.resolve(dataDir));
  const pm = runningPostmaster(paths);
  return {
    running: pm !== null,
    pid: pm?.pid ?? null,
    port: pm?.port ?? null,
    sessions: readSessions(paths, false).map((s) => s.pid),
  };
}

function handle(key: string, connectionString: string, port: number, started: boolean): EmbeddedPostgres {
  let closed = false;
  return {
    connectionString,
    port,
    dataDir: key,
    started,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return serialize(key, () => release(key));
    },
  };
}

// ───────────────────────────── reuse or start (under the lock) ─────────────────────────────

async function ensureRunning(ctx: Context): Promise<{ port: number; started: boolean; credentials: Credentials }> {
  const user = serverOsUser(ctx);
  const credentials = await ensureCluster(ctx, user);
  const reused = await reuseRunning(ctx, credentials);
  if (reused !== null) {
    ctx.log(`reusing embedded Postgres on port ${reused}`);
    return { port: reused, started: false, credentials };
  }
  const port = await startServer(ctx, user, credentials);
  await ensureDatabase(port, credentials);
  return { port, started: true, credentials };
}

/**
 * A killed postmaster stays a zombie until its parent reaps it (on a loaded machine, a while):
 * dead to us, but postgres' own check (kill(pid, 0)) sees it and refuses to start ("lock file
 * postmaster.pid already exists"). Wait for it to go; if it never does (a parent that does not
 * reap), remove the lock file — a zombie holds no shared memory and runs nothing.
 */
async function waitForZombie(ctx: Context, pid: number): Promise<void> {
  const deadline = Date.now() + ZOMBIE_WAIT_MS;
  while (pidExists(pid)) {
    if (Date.now() > deadline) {
      ctx.log(`pid ${pid} is still an unreaped zombie; removing its postmaster.pid`);
      fs.rmSync(path.join(ctx.paths.pg, 'postmaster.pid'), { force: true });
      return;
    }
    await sleep(50);
  }
}

const ZOMBIE_WAIT_MS = 5_000;

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The port of a running, answering server of this cluster; null when one must be started. */
async function reuseRunning(ctx: Context, credentials: Credentials): Promise<number | null> {
  const { paths } = ctx;
  const first = readPostmasterPid(paths.pg);
  if (!first) return null;
  const owner = postmasterOwnership(first.pid, paths.pg);
  if (owner === 'dead') {
    ctx.log(`found a left-behind postmaster.pid (pid ${first.pid} is gone); starting cleanly`);
    await waitForZombie(ctx, first.pid);
    return null; // postgres itself discards a lock file whose pid is dead
  }
  if (owner === 'foreign') {
    // The pid was reused by an unrelated process; postgres would refuse to start ("lock file exists").
    ctx.log(`postmaster.pid names pid ${first.pid}, which is not this cluster's server; removing it`);
    fs.rmSync(path.join(paths.pg, 'postmaster.pid'), { force: true });
    return null;
  }
  if (first.status === 'stopping') {
    ctx.log(`embedded Postgres (pid ${first.pid}) is shutting down; waiting to start it afresh`);
    await stopPostmaster(ctx, first.pid);
    return null;
  }
  const deadline = Date.now() + (first.status === 'starting' ? ctx.timeouts.startMs : ctx.timeouts.answerMs);
  let lastError: Error | null = null;
  while (Date.now() < deadline) {
    const pm = readPostmasterPid(paths.pg);
    if (!pm || pm.pid !== first.pid || !isAlive(pm.pid)) return null;
    lastError = await probe(paths, pm.port, credentials, Math.min(5_000, Math.max(500, deadline - Date.now())));
    if (!lastError) return pm.port;
    await sleep(200);
  }
  ctx.log(
    `embedded Postgres (pid ${first.pid}) did not answer within ${ctx.timeouts.answerMs / 1000}s ` +
      `(${lastError?.message ?? 'no answer'}); restarting it`,
  );
  await stopPostmaster(ctx, first.pid);
  return null;
}
