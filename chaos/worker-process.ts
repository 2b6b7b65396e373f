/**
 * The Tandem worker as a separate OS process (src/worker.ts under tsx, as `npm run worker` runs it),
 * so chaos runs and security tests can SIGKILL it at any instant and read everything it logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Node with tsx's hooks, in one process: the `tsx` CLI would run the worker as its child, and a
// SIGKILL of the CLI would leave the real worker running as an orphan.
const TSX_ARGS = [
  '--require',
  fileURLToPath(new URL('../node_modules/tsx/dist/preflight.cjs', import.meta.url)),
  '--import',
  new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href,
];

/** Options of {@link spawnWorker}. */
export interface WorkerProcessOptions {
  /** Environment on top of this process's (SF_*, DATABASE_URL, TEMPORAL_ADDRESS, TANDEM_*). */
  env: Record<string, string | undefined>;
  /** Every byte the worker writes (stdout and stderr) is appended here too, when set. */
  logFile?: string;
}

/** A running worker process. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the worker logged that it polls the task queue; rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code or signal. */
  exited: Promise<string>;
  /** Everything written so far. */
  output(): string;
  /** SIGKILL: no shutdown, no cleanup, activities cut mid-call. */
  kill(): Promise<void>;
  /** SIGTERM and wait (graceful shutdown). */
  stop(): Promise<void>;
}

/** Starts `tsx src/worker.ts` with the given environment. */
export function spawnWorker(options: WorkerProcessOptions): WorkerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(options.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [...TSX_ARGS, 'src/worker.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolveReady: () => void;
  let rejectReady: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    if (options.logFile) {
      try {
        appendFileSync(options.logFile, text);
      } catch {
        // the run's directory is gone (output flushed after the run ended): the in-memory copy remains
      }
    }
    if (output.includes('"msg":"worker running"')) resolveReady();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<string>((resolve) => {
    // 'close', not 'exit': it fires after stdout and stderr are drained, so the output is complete.
    child.once('close', (code, signal) => {
      const how = signal ?? `code ${code}`;
      rejectReady(new Error(`worker exited (${how}) before it was ready:\n${output.slice(-3000)}`));
      resolve(how);
    });
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    ready,
    exited,
    output: () => output,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
