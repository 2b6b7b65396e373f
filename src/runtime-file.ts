/**
 * `.tandem/runtime.json`: where the services `npm start` brought up are listening (the embedded
 * database and a dev server may be on ports chosen at start), so the `tandem` CLI finds them and the
 * next `npm start` recognises a Temporal dev server a crashed run left behind. Written after start,
 * removed on a clean stop. Holds no credential: a database URL with a password is not written.
 * Only Node built-ins here: the CLI reads it on every call.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm start` keeps the dev server's and the embedded database's files, and runtime.json. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TANDEM_STATE_DIR ?? '.tandem';
}

/** What a running `npm start` published. */
export interface RuntimeInfo {
  /** Process id of `npm start` (its node process). */
  pid: number;
  startedAt: string;
  /** The database the worker uses; absent when its URL carries a password. */
  databaseUrl?: string;
  /** True when that database is the embedded PGlite. */
  embeddedDatabase?: boolean;
  temporalAddress: string;
  namespace: string;
  workflowId: string;
  /** Path of the `temporal` CLI, for commands printed to operators. */
  temporalCli?: string;
  /** The Temporal dev server this run started (it is stopped with it), when it started one. */
  devServerPid?: number;
  uiUrl?: string;
  metricsUrl?: string;
  emulatorUrl?: string;
}

function runtimePath(dir: string): string {
  return join(dir, 'runtime.json');
}

/** True when a process with this id exists (signal 0 checks without sending anything). */
export function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes runtime.json (mode 0600). */
export function writeRuntimeInfo(info: RuntimeInfo, dir = stateDir()): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(runtimePath(dir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Reads runtime.json, or undefined when there is none or it cannot be parsed. */
export function readRuntimeInfo(dir = stateDir()): RuntimeInfo | undefined {
  const path = runtimePath(dir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/** The runtime.json of an `npm start` that is still running, else undefined. */
export function liveRuntimeInfo(dir = stateDir()): RuntimeInfo | undefined {
  const info = readRuntimeInfo(dir);
  return info && processAlive(info.pid) ? info : undefined;
}

/** Removes runtime.json (on a clean stop). */
export function removeRuntimeInfo(dir = stateDir()): void {
  rmSync(runtimePath(dir), { force: true });
}
