import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BillflowError } from '../errors.ts';
import { binaries } from './embedded-binaries.ts';
import { probe } from './embedded-client.ts';
import type { OsUser } from './embedded-os-user.ts';
import { isAlive, signalStop, sleep } from './embedded-process.ts';
import { HOST, displayPath, serverEnv, serverFlags, type Context, type Credentials, type Paths } from './embedded-settings.ts';

/**
 * The server process (the postmaster): found through pg/postmaster.pid, started detached (own
 * session, so it outlives the process that started it), stopped by signal. Start and stop run
 * under the lock.
 */

export interface Postmaster {
  pid: number;
  port: number;
  status: string;
}

const LOG_ROTATE_BYTES = 16 * 1024 * 1024;
const START_ATTEMPTS = 3; // a picked port can be taken before postgres binds it

/** pg/postmaster.pid: line 1 pid, 4 port, 8 status ('starting', 'stopping', 'ready', 'standby'). */
export function readPostmasterPid(pgDir: string): Postmaster | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, port: Number.isInteger(port) ? port : 0, status: (lines[7] ?? '').trim() };
}

export function runningPostmaster(paths: Paths): Postmaster | null {
  const pm = readPostmasterPid(paths.pg);
  return pm && postmasterOwnership(pm.pid, paths.pg) === 'ours' ? pm : null;
}

/**
 * Whether a pid named by postmaster.pid is this cluster's server. A postmaster's cwd is its data
 * dir; that tells a live server from a recycled pid. Unknown (no /proc, no permission) → 'ours'.
 */
export function postmasterOwnership(pid: number, pgDir: string): 'ours' | 'dead' | 'foreign' {
  if (!isAlive(pid)) return 'dead';
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(pgDir) ? 'ours' : 'foreign';
  } catch {
    return 'ours';
  }
}

/** SIGINT (fast shutdown), then SIGQUIT (immediate). */
export async function stopPostmaster(ctx: Context, pid: number): Promise<void> {
  for (const [signal, waitMs] of [['SIGINT', ctx.timeouts.stopMs], ['SIGQUIT', 10_000]] as const) {
    signalStop(pid, signal);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return;
      await sleep(50);
    }
    if (signal === 'SIGINT') ctx.log(`embedded Postgres (pid ${pid}) ignored a fast shutdown; sending SIGQUIT`);
  }
  throw new BillflowError('embedded_postgres_stop_failed', `embedded Postgres (pid ${pid}) does not stop`);
}

/** Starts the server detached and waits until it answers; its port. */
export async function startServer(ctx: Context, user: OsUser | undefined, credentials: Credentials): Promise<number> {
  const { paths } = ctx;
  rotateLog(paths.log);
  const bin = binaries();
  for (let attempt = 1; ; attempt++) {
    const port = ctx.options.port ?? (await freePort());
    ctx.log(`starting embedded Postgres ${bin.version} in ${displayPath(paths.pg)} on port ${port}…`);
    const logStart = fileSize(paths.log);
    const logFd = fs.openSync(paths.log, 'a', 0o600); // statements in errors: not for other users
    const child = spawn(bin.postgres, ['-D', paths.pg, '-p', String(port), ...serverFlags(ctx)], {
      detached: true, // own session: a Ctrl-C in the terminal does not reach it; outlives us
      stdio: ['ignore', logFd, logFd],
      cwd: paths.root,
      env: serverEnv(),
      ...(user ?? {}),
    });
    fs.closeSync(logFd);
    const outcome = await waitUntilReady(ctx, child, credentials);
    if (outcome === 'ready') {
      child.unref();
      return port;
    }
    const tail = logSince(paths.log, logStart);
    const portTaken = /could not bind|address already in use/i.test(tail);
    if (portTaken && ctx.options.port === undefined && attempt < START_ATTEMPTS) continue;
    throw new BillflowError('embedded_postgres_start_failed', `embedded Postgres failed to start: ${outcome}\n${tail}`, {
      httpStatus: 503,
    });
  }
}

/** 'ready', or why not; kills the child on a timeout. */
async function waitUntilReady(ctx: Context, child: ChildProcess, credentials: Credentials): Promise<string> {
  let exited: string | null = null;
  child.on('error', (error) => (exited = `could not run ${binaries().postgres}: ${error.message}`));
  child.on('exit', (code, signal) => (exited ??= `postgres exited (${signal ?? `code ${code}`})`));
  const deadline = Date.now() + ctx.timeouts.startMs;
  while (Date.now() < deadline) {
    if (exited !== null) return exited;
    const pm = readPostmasterPid(ctx.paths.pg);
    if (pm && pm.pid === child.pid && pm.status === 'ready') {
      if (!(await probe(ctx.paths, pm.port, credentials, 5_000))) return 'ready';
    }
    await sleep(50);
  }
  if (child.pid !== undefined) await stopPostmaster(ctx, child.pid).catch(() => undefined);
  return `no answer within ${ctx.timeouts.startMs / 1000}s`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function rotateLog(logPath: string): void {
  try {
    if (fs.statSync(logPath).size > LOG_ROTATE_BYTES) fs.renameSync(logPath, `${logPath}.1`);
  } catch {
    // no log yet
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** What a file gained since offset (at most its last maxBytes): the log of one start attempt. */
function logSince(logPath: string, offset: number, maxBytes = 4_000): string {
  try {
    const fd = fs.openSync(logPath, 'r');
    try {
      const start = Math.max(offset, fs.fstatSync(fd).size - maxBytes);
      const buffer = Buffer.alloc(Math.max(0, fs.fstatSync(fd).size - start));
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trim();
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
