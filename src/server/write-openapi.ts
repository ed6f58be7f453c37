/** `npm run openapi`: writes docs/openapi.json from the routes' schemas (a test fails when it is stale). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from './openapi.ts';

const target = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
writeFileSync(target, openApiJson());
process.stdout.write(`wrote ${target}\n`);
