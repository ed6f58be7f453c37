/**
 * Benchmarks are programs, not timed tests (design convention 13):
 *   npm run bench -- NAME [--flags] [--json]
 * Each prints its figures (and the peer measured in the same run, with the ratio); --json prints
 * one JSON object on stdout. Progress goes to stderr.
 */
import { benchBilling } from './billing.ts';
import { benchApi } from './api.ts';
import { benchPdf } from './pdf.ts';
import { benchEmail } from './email.ts';
import { benchCollect } from './payments.ts';
import { parseFlags } from './support.ts';

const benches: Record<string, (flags: Map<string, string>) => Promise<Record<string, unknown>>> = {
  billing: benchBilling,
  api: benchApi,
  pdf: benchPdf,
  email: benchEmail,
  collect: benchCollect,
};

const [name, ...rest] = process.argv.slice(2);
const bench = name ? benches[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- NAME [--json]\n  benches: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
const flags = parseFlags(rest);
const result = await bench(flags);
if (flags.has('json')) process.stdout.write(`${JSON.stringify(result)}\n`);
else for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(22)} ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
process.exit(0);
