/** Health (the process answers) and readiness (the database answers and is fully migrated). No key needed. */
import { z } from 'zod';
import { listMigrations } from '../../db/migrate.ts';
import { defineRoute } from '../route.ts';

const latestMigration = Math.max(...listMigrations().map((m) => m.version));

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  database: z.boolean(),
  migrations: z.object({ applied: z.int().nullable(), expected: z.int() }),
});

export const healthRoutes = [
  defineRoute({
    method: 'GET', url: '/api/v1/health', scope: null, tag: 'Health', operationId: 'health', summary: 'Liveness: the server answers',
    status: 200, response: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) },
    handler: async () => ({ status: 'ok' }),
  }),
  defineRoute({
    method: 'GET', url: '/api/v1/ready', scope: null, tag: 'Health', operationId: 'ready',
    summary: 'Readiness: the database is reachable and every migration is applied', status: 200, errors: [503],
    response: { description: 'Ready (503 with the same shape when not)', schema: readiness },
    async handler(deps, _input, _request, reply) {
      let applied: number | null = null;
      let database = false;
      try {
        const row = (await deps.pool.query<{ v: number | null }>('select max(version) as v from billflow_migrations')).rows[0];
        database = true;
        applied = row?.v ?? null;
      } catch {
        // unreachable, or not migrated at all: reported below
      }
      const ready = database && applied === latestMigration;
      if (!ready) void reply.code(503);
      return { status: ready ? 'ready' : 'unavailable', database, migrations: { applied, expected: latestMigration } };
    },
  }),
];
