/**
 * A small leveled logger writing plain lines to stderr (stdout is kept for command output and
 * --json). Level from BILLFLOW_LOG (debug | info | warn | error | silent), default info.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Log {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLog(scope: string, level: LogLevel = envLevel()): Log {
  const threshold = order[level];
  const write = (lvl: LogLevel, message: string) => {
    if (order[lvl] < threshold) return;
    process.stderr.write(`${new Date().toISOString()} ${lvl.padEnd(5)} [${scope}] ${message}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

function envLevel(): LogLevel {
  const value = process.env.BILLFLOW_LOG;
  return value && value in order ? (value as LogLevel) : 'info';
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
