#!/usr/bin/env node
// Entry point of the `billflow` binary. The source is TypeScript, loaded through tsx's ESM
// hooks in this same process (no build step, no second process).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

register();
const here = dirname(fileURLToPath(import.meta.url));
const { main } = await import(join(here, '..', 'src', 'cli', 'main.ts'));
await main(process.argv.slice(2));
