/**
 * A private PostgreSQL cluster for chaos runs: initdb in a temp directory, a free loopback port, and
 * restarts on demand (`immediate` = a crash, WAL recovery on start). The machine's shared PostgreSQL
 * (5432) is never touched: other test suites use it. As root, the cluster runs as the `postgres` user
 * (initdb refuses root).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../src/temporal/dev-server';

const exec = promisify(execFile);

/** Stops a cluster left behind by a run that died (its harness was SIGKILLed) and deletes its directory. */
export async function stopStaleCluster(dir: string): Promise<void> {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) {
    const pg_ctl = join(binDir(), 'pg_ctl');
    const asRoot = userInfo().uid === 0;
    await exec(asRoot ? 'runuser' : pg_ctl, [
      ...(asRoot ? ['-u', 'postgres', '--', pg_ctl] : []),
      '-D',
      data,
      '-m',
      'immediate',
      '-w',
      'stop',
    ]).catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A running private cluster. */
export interface PrivatePostgres {
  port: number;
  /** The cluster's directory (data in `data/`, socket and log beside it). */
  dir: string;
  /** Connection URL of database `postgres` as superuser `postgres`. */
  adminUrl: string;
  /** URL of another database on this cluster. */
  urlFor(database: string): string;
  /** Stops the server (`immediate`: no checkpoint, as a crash) and starts it again on the same port and data. */
  restart(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root))
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (Debian package `postgresql`)');
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL version directory under /usr/lib/postgresql');
  return join(root, versions[0]!, 'bin');
}

/** initdb + pg_ctl start of a fresh cluster on a free port; returns its handle. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-chaos-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await exec('id', ['-u', 'postgres']);
    const { stdout: gid } = await exec('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const run = async (program: string, args: string[]): Promise<void> => {
    const command = asRoot ? 'runuser' : join(bin, program);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args;
    await exec(command, argv, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  };
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c shared_buffers=64MB`;
  const start = (): Promise<void> =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  const stopServer = (mode: 'immediate' | 'fast'): Promise<void> =>
    run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', mode, 'stop']);
  await start();
  const urlFor = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    adminUrl: urlFor('postgres'),
    urlFor,
    async restart(mode = 'immediate') {
      await stopServer(mode);
      await start();
    },
    async stop() {
      await stopServer('fast').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
