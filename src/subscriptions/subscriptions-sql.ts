/**
 * SQL for subscription lifecycle writes. Each function returns {text, values} and runs nothing.
 */
import type { Sql } from '../customers/index.ts';

const COLUMNS = 'id, customer_id, plan_id, started_on, trial_ends_on, ended_on, previous_id, created_at';

export const subscriptionsSql = {
  planTrialDays: (planId: string): Sql => ({
    text: 'select trial_days from plans where id = $1',
    values: [planId],
  }),

  insert: (s: { customerId: number; planId: string; startedOn: string; trialEndsOn: string | null; previousId: number | null }): Sql => ({
    text: `insert into subscriptions (customer_id, plan_id, started_on, trial_ends_on, previous_id)
           values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    values: [s.customerId, s.planId, s.startedOn, s.trialEndsOn, s.previousId],
  }),

  /** The row locked for the rest of the transaction: a concurrent cancel or change waits. */
  byIdForUpdate: (id: number): Sql => ({
    text: `select ${COLUMNS} from subscriptions where id = $1 for update`,
    values: [id],
  }),

  byId: (id: number): Sql => ({
    text: `select ${COLUMNS} from subscriptions where id = $1`,
    values: [id],
  }),

  /**
   * A page by id, after a cursor. status 'active': not ended on `asOf` (no end date, or one after
   * it); 'ended': its end date is on or before `asOf`.
   */
  page: (f: { customerId: number | null; planId: string | null; status: 'active' | 'ended' | null; asOf: string; after: number; limit: number }): Sql => ({
    text: `select ${COLUMNS} from subscriptions
           where id > $1 and ($2::bigint is null or customer_id = $2) and ($3::text is null or plan_id = $3)
             and ($4::text is null or ($4::text = 'active') = (ended_on is null or ended_on > $5::date))
           order by id limit $6`,
    values: [f.after, f.customerId, f.planId, f.status, f.asOf, f.limit],
  }),

  end: (id: number, endedOn: string): Sql => ({
    text: `update subscriptions set ended_on = $2 where id = $1 returning ${COLUMNS}`,
    values: [id, endedOn],
  }),
};
