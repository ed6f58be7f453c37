import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../server/api-keys.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption } from './options.ts';

export function registerKeys(program: Command, global: () => GlobalOptions): void {
  const keys = program.command('keys').description('API keys for the HTTP API (stored hashed; a key is shown once)');
  keys
    .command('create')
    .description('create an API key and print it (the only time it is shown)')
    .requiredOption('--scopes <list>', 'comma-separated: read, write, admin')
    .option('--name <name>', 'what the key is for', 'api key')
    .option('--rate-limit <n>', 'requests per rate-limit window for this key (default: api.rateLimit.max)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { scopes: string; name: string; rateLimit?: string; json?: boolean }) => {
      const scopes = flags.scopes.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const rateLimit = flags.rateLimit === undefined ? null : intOption('--rate-limit', flags.rateLimit, 1, 10_000_000);
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const created = await createApiKey(ctx.pool, { name: flags.name, scopes: scopes as never, rateLimit });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(created)}\n`);
          return;
        }
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(`API key ${created.id} '${created.name}' (${created.scopes.join(', ')}). Store it now: it is not shown again.\n`);
        process.stderr.write(`Use it as: Authorization: Bearer ${created.prefix}_…  or  X-Api-Key: ${created.prefix}_…\n`);
      } finally {
        await ctx.close();
      }
    });
  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const all = await listApiKeys(ctx.pool);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(all)}\n`);
          return;
        }
        for (const k of all) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? 'never'}`;
          process.stdout.write(`${String(k.id).padStart(4)}  ${k.prefix}  ${k.scopes.join(',').padEnd(16)} ${k.name.padEnd(24)} ${state}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
  keys
    .command('revoke <id>')
    .description('revoke an API key: running servers refuse it at once')
    .action(async (id: string) => {
      const keyId = intOption('id', id, 1);
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        const revoked = await revokeApiKey(ctx.pool, keyId);
        process.stdout.write(`revoked API key ${revoked.id} (${revoked.prefix}) at ${revoked.revokedAt}\n`);
      } finally {
        await ctx.close();
      }
    });
}
