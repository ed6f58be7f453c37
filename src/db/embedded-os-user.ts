import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BillflowError } from '../errors.ts';
import { isRoot } from './embedded-process.ts';
import type { Context } from './embedded-settings.ts';

/** Postgres refuses to run as root: when we are root, the server runs as another OS user. */

export interface OsUser {
  uid: number;
  gid: number;
}

/** The OS user the server runs as: undefined (ourselves) unless we are root. */
export function serverOsUser(ctx: Context): OsUser | undefined {
  if (!isRoot()) return undefined;
  if (fs.existsSync(ctx.paths.pg)) {
    const stat = fs.statSync(ctx.paths.pg);
    // Run as whoever owns the cluster: also lets root use a data dir made by a normal user.
    if (stat.uid !== 0) return { uid: stat.uid, gid: stat.gid };
    if (fs.readdirSync(ctx.paths.pg).length > 0) {
      throw new BillflowError('embedded_postgres_root_owned', `${ctx.paths.pg} is owned by root; Postgres refuses root`);
    }
  }
  const user = lookupUser('postgres') ?? createPostgresUser(ctx);
  const mode = fs.statSync(ctx.paths.root).mode;
  if ((mode & 0o011) !== 0o011) fs.chmodSync(ctx.paths.root, mode | 0o011); // let it traverse our dir
  assertReachable(user, [ctx.paths.root]);
  return user;
}

/** Fails early, with the culprit named, when the server's OS user cannot reach a path. */
export function assertReachable(user: OsUser, targets: string[]): void {
  let groups: number[] = [user.gid];
  try {
    groups = execFileSync('id', ['-G', String(user.uid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  } catch {
    // keep the primary group only
  }
  for (const target of targets) {
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const st = fs.statSync(dir);
      const bit = st.uid === user.uid ? 0o100 : groups.includes(st.gid) ? 0o010 : 0o001;
      if ((st.mode & bit) === 0) {
        throw new BillflowError(
          'embedded_postgres_unreachable_dir',
          `the OS user running Postgres (uid ${user.uid}) cannot traverse ${dir} (mode ${(st.mode & 0o777).toString(8)}) ` +
            `to reach ${target}; chmod o+x ${dir}, or use a data dir elsewhere (--data-dir)`,
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

function lookupUser(name: string): OsUser | undefined {
  const id = (flag: '-u' | '-g'): number =>
    Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  try {
    const uid = id('-u');
    const gid = id('-g');
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function createPostgresUser(ctx: Context): OsUser {
  ctx.log('running as root: creating the OS user "postgres" to run the embedded server');
  spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  const args = ['--system', '--gid', 'postgres', '--no-create-home', '--home-dir', '/nonexistent'];
  spawnSync('useradd', [...args, '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  const user = lookupUser('postgres'); // (a concurrent creator may have won; either way it exists now)
  if (!user) {
    throw new BillflowError(
      'embedded_postgres_no_user',
      'running as root, and no OS user "postgres" exists or could be created (Postgres refuses to run as root); ' +
        'create one, run Billflow as a normal user, or set DATABASE_URL',
    );
  }
  return user;
}
