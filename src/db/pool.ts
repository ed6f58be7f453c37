import pg from 'pg';

// bigint (int8) and numeric come back as strings by default; money stays within safe integers
// (asserted where it is read), so int8 is parsed to number. numeric stays a string (rates).
pg.types.setTypeParser(20, (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return n;
});
// date → 'YYYY-MM-DD' string (no timezone shifts).
pg.types.setTypeParser(1082, (value: string) => value);

export interface PoolOptions {
  max?: number;
  applicationName?: string;
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'billflow',
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}
