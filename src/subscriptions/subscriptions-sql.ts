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

  end: (id: number, endedOn: string): Sql => ({
    text: `update subscriptions set ended_on = $2 where id = $1 returning ${COLUMNS}`,
    values: [id, endedOn],
  }),
};
