/**
 * /api/docs: the OpenAPI document as JSON (/api/docs/openapi.json) and a Swagger UI page served
 * from the installed package (no CDN), both without an API key. The page's "Authorize" button
 * takes a key for trying requests.
 */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { buildOpenApiDocument } from './openapi.ts';
import type { AnyRoute } from './route.ts';

export async function registerDocs(app: FastifyInstance, routes: AnyRoute[]): Promise<void> {
  const document = buildOpenApiDocument(routes);
  const body = JSON.stringify(document);
  app.get('/api/docs/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true }, staticCSP: true });
}
