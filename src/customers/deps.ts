/**
 * What the write library needs from its caller (design convention 5: explicit parameters),
 * the one-transaction helper every write goes through, and the typed errors for references
 * that do not exist (404) and uniqueness conflicts (409).
 */
import type pg from 'pg';
import type { IsoDate } from '../billing/types.ts';
import { BillflowError, type ErrorDetail } from '../errors.ts';
import { MAX_ERROR_DETAILS } from './validation.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Deps {
  db: pg.Pool;
  /** Decides default dates (e.g. chargedOn); the system clock when omitted. */
  clock?: Clock;
}

/** The clock's current UTC calendar day. */
export function todayOf(clock: Clock | undefined): IsoDate {
  return (clock ?? systemClock).now().toISOString().slice(0, 10);
}

export interface Sql {
  text: string;
  values: unknown[];
}

export async function run<R extends pg.QueryResultRow = Record<string, unknown>>(
  db: pg.Pool | pg.PoolClient,
  sql: Sql,
): Promise<pg.QueryResult<R>> {
  return db.query<R>(sql.text, sql.values);
}

/**
 * Runs `work` in one transaction: everything it wrote commits together, or nothing does.
 * `translate` may turn a Postgres error (a unique or foreign key violation that lost a race
 * with a concurrent writer) into a typed BillflowError.
 */
export async function inTransaction<T>(
  db: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  translate: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw translate(error);
  } finally {
    client.release();
  }
}

/** 404: `${entity}_not_found`, e.g. customer_not_found naming 'customerId'. */
export function notFound(entity: string, details: ErrorDetail[]): BillflowError {
  const capped = details.slice(0, MAX_ERROR_DETAILS);
  const first = capped[0];
  const summary = first === undefined ? `${entity} not found` : `${first.field}: ${first.message}`;
  return new BillflowError(`${entity}_not_found`, summary, { httpStatus: 404, details: capped });
}

/** 409: the write conflicts with existing data (a duplicate key, an already-ended subscription). */
export function conflict(field: string, message: string): BillflowError {
  return new BillflowError('conflict', `${field}: ${message}`, { httpStatus: 409, details: [{ field, message }] });
}

interface PgError {
  code?: string;
  constraint?: string;
}

/**
 * Maps a unique (23505) or foreign key (23503) violation to the error registered for its
 * constraint name; anything else passes through unchanged.
 */
export function translateConstraint(map: Record<string, () => BillflowError>): (error: unknown) => unknown {
  return (error) => {
    const pgError = error as PgError;
    if ((pgError?.code === '23505' || pgError?.code === '23503') && pgError.constraint !== undefined) {
      const make = map[pgError.constraint];
      if (make !== undefined) return make();
    }
    return error;
  };
}
