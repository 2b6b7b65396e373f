/**
 * Starts and stops a Temporal dev server (`temporal server start-dev`) as a child process: the
 * suite's server in tests, and the embedded one `npm start` runs when no TEMPORAL_ADDRESS is set.
 * Started directly rather than through TestWorkflowEnvironment.createLocal because sdk-core gives up
 * after 5 s, which a loaded 2-core machine can exceed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Search attributes Tandem sets on its workflows; registered on every dev server it starts. */
export const TANDEM_SEARCH_ATTRIBUTES = {
  TandemOrg: 'Keyword',
  TandemOrgId: 'Keyword',
  TandemPhase: 'Keyword',
} as const;

/** Options of `startDevServer`. */
export interface DevServerOptions {
  /** Path of the `temporal` CLI. */
  cli: string;
  /** gRPC port; 0 (default) picks a free one. */
  port?: number;
  /** Web UI port; absent = headless. */
  uiPort?: number;
  /** SQLite file to persist to; absent = in memory. */
  dbFilename?: string;
  /** More arguments, e.g. `['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40']`. */
  extraArgs?: string[];
  /** How long to wait for the server to become healthy. */
  startTimeoutMs?: number;
}

/** A running dev server. */
export interface DevServer {
  /** `host:port` of the gRPC frontend. */
  address: string;
  /** Web UI base URL, when the UI is on. */
  uiUrl?: string;
  /** Process id of the server this process started; absent for a server it only reuses. */
  pid?: number;
  stop(): Promise<void>;
}

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** True when `temporal operator cluster health` reports SERVING for the address. */
export async function isHealthy(cli: string, address: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = spawn(cli, ['operator', 'cluster', 'health', '--address', address], { stdio: 'pipe' });
    let out = '';
    probe.stdout.on('data', (chunk) => (out += chunk));
    probe.on('error', () => resolve(false));
    probe.on('close', (code) => resolve(code === 0 && out.includes('SERVING')));
  });
}

/** Starts a dev server and waits until it is healthy; rejects if it exits first or the wait times out. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port || (await freePort());
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const [name, type] of Object.entries(TANDEM_SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  args.push(...(options.extraArgs ?? []));
  const server: ChildProcess = spawn(options.cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });

  const exited = new Promise<never>((_, reject) => {
    server.once('error', reject);
    server.once('exit', (code) =>
      reject(new Error(`temporal server start-dev exited with code ${code} before becoming healthy (port ${port})`)),
    );
  });
  exited.catch(() => undefined);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const healthy = (async () => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await isHealthy(options.cli, address)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Temporal dev server at ${address} did not become healthy within ${timeoutMs} ms`);
  })();
  try {
    await Promise.race([healthy, exited]);
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    pid: server.pid,
    async stop() {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    },
  };
}
