import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BillflowError } from '../errors.ts';
import { binaries } from './embedded-binaries.ts';
import { assertReachable, type OsUser } from './embedded-os-user.ts';
import { errorCode } from './embedded-process.ts';
import { displayPath, serverEnv, type Context, type Credentials, type Paths } from './embedded-settings.ts';

/**
 * The cluster on disk (<dataDir>/pg, initdb'd once) and its credentials file
 * (<dataDir>/pg-credentials.json, 0600). Runs under the lock.
 */

const DB_USER = 'billflow';
const DB_NAME = 'billflow';

/** The credentials of the data dir's cluster, initdb'ing it first when there is none. */
export async function ensureCluster(ctx: Context, user: OsUser | undefined): Promise<Credentials> {
  const { paths } = ctx;
  const bin = binaries();
  const versionFile = path.join(paths.pg, 'PG_VERSION');
  if (fs.existsSync(versionFile)) {
    const major = fs.readFileSync(versionFile, 'utf8').trim();
    if (major !== bin.major) {
      throw new BillflowError(
        'embedded_postgres_version_mismatch',
        `${displayPath(paths.pg)} was created by Postgres ${major}, the installed binaries are ${bin.version}; ` +
          `dump and restore (or pg_upgrade) it, or move it away to start afresh`,
      );
    }
    fs.rmSync(paths.staging, { recursive: true, force: true }); // a killed initdb's leftovers
    return readCredentials(paths);
  }
  if (fs.existsSync(paths.pg) && fs.readdirSync(paths.pg).length > 0) {
    throw new BillflowError('embedded_postgres_bad_cluster', `${paths.pg} is not a Postgres cluster; move it away`);
  }
  fs.rmSync(paths.pg, { recursive: true, force: true });
  const credentials = writeNewCredentials(paths);
  ctx.log(`initialising embedded Postgres ${bin.version} cluster in ${displayPath(paths.pg)}…`);
  await initdb(ctx, user, credentials);
  return credentials;
}

async function initdb(ctx: Context, user: OsUser | undefined, credentials: Credentials): Promise<void> {
  const { paths } = ctx;
  const bin = binaries();
  // Everything happens in pg.init/ and is renamed into place: a killed initdb never leaves a
  // half-made cluster behind (pg.init/ is simply discarded by the next attempt, under the lock).
  fs.rmSync(paths.staging, { recursive: true, force: true });
  fs.mkdirSync(paths.staging, { mode: 0o700 });
  const pwfile = path.join(paths.staging, 'pwfile');
  fs.writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  if (user) {
    fs.chownSync(paths.staging, user.uid, user.gid);
    fs.chownSync(pwfile, user.uid, user.gid);
    assertReachable(user, [paths.staging, bin.postgres]);
  }
  const target = path.join(paths.staging, 'pg');
  const args = [
    `--pgdata=${target}`,
    `--username=${credentials.user}`,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--locale-provider=builtin', // deterministic sorting, independent of the host's libc or ICU
    '--builtin-locale=C.UTF-8',
  ];
  const output = await run(bin.initdb, args, { cwd: paths.root, env: serverEnv(), ...(user ?? {}) }, ctx.timeouts.startMs);
  if (output.code !== 0) {
    throw new BillflowError('embedded_postgres_initdb_failed', `initdb failed (${output.code}):\n${output.text}`);
  }
  fs.rmSync(pwfile);
  fs.renameSync(target, paths.pg);
  fs.rmSync(paths.staging, { recursive: true, force: true });
}

function writeNewCredentials(paths: Paths): Credentials {
  const credentials = { user: DB_USER, password: randomBytes(24).toString('base64url'), database: DB_NAME };
  const tmp = `${paths.credentials}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, paths.credentials);
  return credentials;
}

function readCredentials(paths: Paths): Credentials {
  try {
    const raw = JSON.parse(fs.readFileSync(paths.credentials, 'utf8')) as Partial<Credentials>;
    if (typeof raw.user === 'string' && typeof raw.password === 'string' && typeof raw.database === 'string') {
      return { user: raw.user, password: raw.password, database: raw.database };
    }
  } catch (error) {
    if (errorCode(error) !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  throw new BillflowError(
    'embedded_postgres_credentials_missing',
    `${paths.credentials} is missing or unreadable, so the cluster in ${paths.pg} cannot be reached; ` +
      `restore the file, or move ${paths.pg} away to start a new (empty) cluster`,
  );
}

/** Runs a program to completion: its exit code (null when killed or not run) and all its output. */
function run(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number },
  timeoutMs: number,
): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, text: `${text}${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: signal ? null : code, text: `${text}${signal ?? ''}` }));
  });
}
