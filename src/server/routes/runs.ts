/**
 * Billing runs: start (planned and queued at once; the server's worker threads and any
 * `billflow worker` take the shards), list, status with per-stage counts and timings, resume,
 * cancel. Starting, resuming and canceling need the admin scope.
 */
import { z } from 'zod';
import { cancelRun, createRun, listRuns, resumeRun, runStatus } from '../../billing/index.ts';
import { BillflowError } from '../../errors.ts';
import { isoDateSchema, todayOf } from '../../customers/index.ts';
import { defineRoute } from '../route.ts';
import { runSchema } from '../schemas.ts';
import { idParams } from './common.ts';

const tag = 'Billing runs';
const params = idParams('runId');

const startRunSchema = z.strictObject({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'expected a period YYYY-MM' }),
  /** The run's clock: invoices are issued on this day. */
  issueDate: isoDateSchema.optional(),
  shardSize: z.int().min(1).max(100_000).optional(),
  maxAttempts: z.int().min(1).max(25).optional(),
  netTermsDays: z.int().min(0).max(365).optional(),
});

const runSummary = z.object({
  runId: z.int(), period: z.string(), status: z.string(), shardsTotal: z.int(), customersTotal: z.int(),
  createdAt: z.iso.datetime({ offset: true }), finishedAt: z.iso.datetime({ offset: true }).nullable(),
});

export const runRoutes = [
  defineRoute({
    method: 'POST', url: '/api/v1/billing-runs', scope: 'admin', tag, operationId: 'startBillingRun',
    summary: 'Start a billing run for a period',
    description:
      'Plans shards (customer id ranges) and queues one job per shard; answers at once. Follow it with GET ' +
      '/api/v1/billing-runs/{runId}. Customers already invoiced for the period are skipped, never billed twice. ' +
      'Defaults: issueDate today, shardSize/maxAttempts/netTermsDays from the billing config.',
    body: startRunSchema, status: 202, example: { period: '2026-11' },
    response: { description: 'Planned and queued', schema: z.object({ runId: z.int(), shards: z.int(), customers: z.int(), statusUrl: z.string() }) },
    async handler(deps, { body }) {
      const { billing } = deps.config;
      const created = await createRun(deps.pool, {
        period: body.period, issueDate: body.issueDate ?? todayOf(deps.clock), shardSize: body.shardSize ?? billing.shardSize,
        maxAttempts: body.maxAttempts ?? billing.maxAttempts, netTermsDays: body.netTermsDays ?? billing.netTermsDays, trigger: 'api',
      });
      return { ...created, statusUrl: `/api/v1/billing-runs/${created.runId}` };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/billing-runs', scope: 'read', tag, operationId: 'listBillingRuns', summary: 'Recent billing runs',
    query: z.strictObject({ limit: z.int().min(1).max(1000).default(20) }), status: 200,
    response: { description: 'Newest first', schema: z.object({ runs: z.array(runSummary) }) },
    async handler(deps, { query }) {
      const rows = await listRuns(deps.pool, query.limit);
      return {
        runs: rows.map((r) => ({
          runId: r.id, period: r.period, status: r.status, shardsTotal: r.shards_total, customersTotal: r.customers_total,
          createdAt: (r.created_at as Date).toISOString(), finishedAt: (r.finished_at as Date | null)?.toISOString() ?? null,
        })),
      };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/billing-runs/:runId', scope: 'read', tag, operationId: 'getBillingRun',
    summary: 'Status of a run: shard counts, totals, per-stage counts and timings, shard errors', params, status: 200, errors: [404],
    response: { description: 'The run', schema: runSchema },
    handler: (deps, { params: p }) => runStatus(deps.pool, p.runId),
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/billing-runs/:runId/resume', scope: 'admin', tag, operationId: 'resumeBillingRun',
    summary: 'Resume a run: requeue parked and canceled shards and the jobs of dead workers',
    description: 'A run that completed without errors has nothing to resume: 409 run_completed.',
    params, status: 202, errors: [404, 409],
    response: { description: 'Requeued', schema: z.object({ runId: z.int(), requeued: z.int(), unlockedWorkers: z.int() }) },
    async handler(deps, { params: p }) {
      const current = await runStatus(deps.pool, p.runId);
      // resumeRun would reopen a completed run with no shard left to close it again.
      if (current.status === 'completed') {
        const message = `run ${p.runId} completed without errors: nothing to resume`;
        throw new BillflowError('run_completed', message, { httpStatus: 409, details: [{ field: 'runId', message }] });
      }
      return { runId: p.runId, ...(await resumeRun(deps.pool, p.runId, deps.config.worker.deadAfterMs)) };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/v1/billing-runs/:runId/cancel', scope: 'admin', tag, operationId: 'cancelBillingRun',
    summary: 'Cancel a running run (shards not started are dropped; finished ones stay)', params, status: 200, errors: [404, 409],
    response: { description: 'Canceled', schema: z.object({ runId: z.int(), canceledShards: z.int() }) },
    async handler(deps, { params: p }) {
      await runStatus(deps.pool, p.runId); // 404 for an unknown run, rather than "not running"
      return { runId: p.runId, ...(await cancelRun(deps.pool, p.runId)) };
    },
  }),
];
