import fs from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { acquireLockSync, releaseLock, withLock } from './embedded-lock.ts';
import { runningPostmaster, stopPostmaster, type Postmaster } from './embedded-postmaster.ts';
import { isAlive, isSameProcess, ownRecord, signalStop, sleepSync } from './embedded-process.ts';
import type { Context, Paths } from './embedded-settings.ts';

/**
 * Who uses a data dir's server: one session file per live process (<dataDir>/sessions/<pid>.json),
 * however many opens that process made. Whoever detaches last (session files of dead pids do not
 * count) stops the server, at close() or at process exit.
 */

interface SessionRecord {
  pid: number;
  startTime: string | null;
  file: string;
}

interface Attachment {
  ctx: Context;
  refs: number;
  keepRunning: boolean;
}

const EXIT_WAIT_MS = 5_000; // how long a process exit (sync, Ctrl-C) waits for lock and shutdown

/** Per-process state: one session per data dir however many opens; opens/closes serialized. */
const attachments = new Map<string, Attachment>();
const queues = new Map<string, Promise<unknown>>();
let exitHooksInstalled = false;

/** Runs the tasks of one key (data dir) one after another, whether earlier ones failed or not. */
export function serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

/** Under the lock, once the server runs: one more open of this data dir by this process. */
export function attach(ctx: Context): void {
  const key = ctx.paths.root;
  writeSession(ctx.paths);
  // Registered before the lock is released, so that an exit from here on releases it.
  const attachment = attachments.get(key) ?? { ctx, refs: 0, keepRunning: false };
  attachment.refs += 1;
  attachment.keepRunning ||= ctx.options.keepRunning === true;
  attachments.set(key, attachment);
}

/** One open fewer (run it through serialize); the last one detaches. */
export async function release(key: string): Promise<void> {
  const attachment = attachments.get(key);
  if (!attachment) return; // already released by an exit hook
  attachment.refs -= 1;
  if (attachment.refs > 0) return;
  attachments.delete(key);
  await detach(attachment.ctx, attachment.keepRunning);
}

/** Sessions of live processes; with clean, deletes the files of dead ones (hold the lock). */
export function readSessions(paths: Paths, clean: boolean): SessionRecord[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(paths.sessions).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const live: SessionRecord[] = [];
  for (const name of names) {
    const file = path.join(paths.sessions, name);
    let record: { pid?: unknown; startTime?: unknown } = {};
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // unreadable: counts as dead
    }
    const pid = typeof record.pid === 'number' ? record.pid : Number(name.split(/[-.]/)[0]);
    const startTime = typeof record.startTime === 'string' ? record.startTime : null;
    if (Number.isInteger(pid) && pid > 0 && isSameProcess(pid, startTime)) live.push({ pid, startTime, file });
    else if (clean) fs.rmSync(file, { force: true });
  }
  return live;
}

/**
 * A normal exit or Ctrl-C/SIGTERM releases synchronously (no event loop at 'exit'). A SIGKILLed
 * process cannot: its server stays up and the next command reuses it. If the program has its own
 * handler for the signal (serve's graceful shutdown), we leave the signal to it and release at
 * 'exit'; otherwise we release and re-raise, so the exit status still says "killed by SIGINT".
 * SIGHUP is not hooked: that would defeat `nohup`.
 */
export function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', releaseAllSync);
  if (!isMainThread) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      releaseAllSync();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function writeSession(paths: Paths): void {
  fs.mkdirSync(paths.sessions, { recursive: true, mode: 0o700 });
  const record = ownRecord({ since: new Date().toISOString() });
  fs.writeFileSync(paths.session, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

async function detach(ctx: Context, keepRunning: boolean): Promise<void> {
  fs.rmSync(ctx.paths.session, { force: true });
  await withLock(ctx, async () => {
    const decision = stopDecision(ctx, keepRunning);
    if (decision) await stopPostmaster(ctx, decision.pid);
  });
}

/** Under the lock: the server to stop, or null (logs why it stays). */
function stopDecision(ctx: Context, keepRunning: boolean): Postmaster | null {
  const others = readSessions(ctx.paths, true);
  const pm = runningPostmaster(ctx.paths);
  if (!pm) return null;
  if (others.length > 0) {
    ctx.log(`embedded Postgres keeps running: in use by pid ${others.map((s) => s.pid).join(', ')}`);
    return null;
  }
  if (keepRunning) {
    ctx.log(`embedded Postgres keeps running on port ${pm.port}`);
    return null;
  }
  ctx.log(`stopping embedded Postgres on port ${pm.port} (no other Billflow process uses it)`);
  return pm;
}

function releaseAllSync(): void {
  for (const [key, attachment] of attachments) {
    attachments.delete(key);
    try {
      releaseSync(attachment);
    } catch {
      // exiting: a server left running is reused by the next command
    }
  }
}

function releaseSync({ ctx, keepRunning }: Attachment): void {
  fs.rmSync(ctx.paths.session, { force: true });
  const token = acquireLockSync(ctx.paths.lock, EXIT_WAIT_MS);
  if (token === null) return;
  try {
    const pm = stopDecision(ctx, keepRunning);
    if (!pm) return;
    signalStop(pm.pid, 'SIGINT');
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (isAlive(pm.pid) && Date.now() < deadline) sleepSync(20);
    // Still stopping? The next opener sees it shutting down, waits for it, and starts afresh.
  } finally {
    releaseLock(ctx.paths.lock, token);
  }
}
