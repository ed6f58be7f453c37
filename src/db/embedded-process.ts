import fs from 'node:fs';

/**
 * OS processes as the embedded lifecycle sees them: is a pid alive, is it still the same process,
 * how to ask one to stop, who we are (for lock and session files), and waiting in between.
 */

/** Alive and not a zombie (a server we started and stopped stays a zombie until reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  const state = procStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

/** State and start time (clock ticks since boot) from /proc; null where there is no /proc. */
export function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return null;
  }
}

/** A pid plus its start time names one process, even after the pid is recycled. */
export function isSameProcess(pid: number, startTime: string | null): boolean {
  if (!isAlive(pid)) return false;
  const now = procStat(pid)?.startTime ?? null;
  return startTime === null || now === null || now === startTime;
}

/**
 * What a lock or session file says about its writer, `fields` in between: pid and start time name
 * this process (see isSameProcess); the command is for people reading the file.
 */
export function ownRecord<T extends object>(
  fields: T,
): { pid: number; startTime: string | null } & T & { command: string } {
  return {
    pid: process.pid,
    startTime: procStat(process.pid)?.startTime ?? null,
    ...fields,
    command: process.argv.slice(1).join(' '),
  };
}

/** A shutdown signal, and SIGCONT in case the server was stopped (it would not act on it). */
export function signalStop(pid: number, signal: NodeJS.Signals): void {
  sendSignal(pid, signal);
  sendSignal(pid, 'SIGCONT');
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** For process exit, where there is no event loop to wait on. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}
