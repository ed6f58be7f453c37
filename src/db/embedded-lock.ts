import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { BillflowError } from '../errors.ts';
import { errorCode, isSameProcess, ownRecord, sleep, sleepSync } from './embedded-process.ts';
import type { Context } from './embedded-settings.ts';

/**
 * The short-lived start/stop lock of a data dir (<dataDir>/lock): everything that decides "reuse,
 * start or stop" runs under it, so concurrent processes never start two servers or stop one in use.
 *
 * A file created atomically (link of a complete temp file: never seen half-written) holding the
 * holder's pid and start time. A dead holder's lock is stale; it is removed under a second,
 * very short-lived guard file so that two waiters never both "remove" it (one could remove the
 * fresh lock the other just took).
 */

export async function withLock<T>(ctx: Context, task: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ctx.timeouts.lockMs;
  let token = tryLock(ctx.paths.lock);
  while (token === null) {
    if (Date.now() > deadline) throw lockTimeout(ctx);
    await sleep(25 + Math.random() * 75);
    token = tryLock(ctx.paths.lock);
  }
  try {
    return await task();
  } finally {
    releaseLock(ctx.paths.lock, token);
  }
}

/** For process exit: a token, or null when the lock was not had within timeoutMs. */
export function acquireLockSync(lockPath: string, timeoutMs: number): string | null {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const token = tryLock(lockPath, true);
    if (token !== null || Date.now() > deadline) return token;
    sleepSync(20);
  }
}

export function releaseLock(lockPath: string, token: string): void {
  if (readLock(lockPath)?.token === token) fs.rmSync(lockPath, { force: true });
}

/** A token if taken; null if a live process holds it (a stale lock is cleared for the next try). */
function tryLock(lockPath: string, reentrant = false): string | null {
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify(ownRecord({ token }));
  if (linkExclusive(lockPath, content)) return token;
  const holder = readLock(lockPath);
  if (!holder) return null; // vanished meanwhile: retry
  // At exit, an open of ours interrupted mid-way may hold it: we are its holder then.
  if (reentrant && holder.pid === process.pid) return holder.token;
  if (!isSameProcess(holder.pid, holder.startTime)) removeStaleLock(lockPath, holder.raw);
  return null;
}

function linkExclusive(target: string, content: string): boolean {
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  try {
    fs.linkSync(tmp, target);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readLock(lockPath: string): { pid: number; startTime: string | null; token: string; raw: string } | null {
  try {
    const raw = fs.readFileSync(lockPath, 'utf8');
    const parsed = JSON.parse(raw) as { pid?: unknown; startTime?: unknown; token?: unknown };
    return {
      pid: typeof parsed.pid === 'number' ? parsed.pid : 0,
      startTime: typeof parsed.startTime === 'string' ? parsed.startTime : null,
      token: typeof parsed.token === 'string' ? parsed.token : '',
      raw,
    };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    return { pid: 0, startTime: null, token: '', raw: '' }; // garbage: stale
  }
}

function removeStaleLock(lockPath: string, staleContent: string): void {
  const guard = `${lockPath}.stale`;
  if (!linkExclusive(guard, String(process.pid))) {
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > 10_000) fs.rmSync(guard, { force: true }); // its holder died
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    if (fs.readFileSync(lockPath, 'utf8') === staleContent) fs.rmSync(lockPath, { force: true });
  } catch {
    // gone meanwhile
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function lockTimeout(ctx: Context): BillflowError {
  const holder = readLock(ctx.paths.lock);
  let command = '';
  try {
    command = (JSON.parse(holder?.raw ?? '{}') as { command?: string }).command ?? '';
  } catch {
    // no command to show
  }
  return new BillflowError(
    'embedded_postgres_lock_timeout',
    `timed out after ${ctx.timeouts.lockMs / 1000}s waiting for ${ctx.paths.lock}, held by pid ${holder?.pid ?? '?'}` +
      `${command ? ` (${command})` : ''}; if that process is stuck, stop it`,
    { httpStatus: 503, retryable: true },
  );
}
