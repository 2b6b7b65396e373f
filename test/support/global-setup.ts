import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { ensureTemporalBinaries } from './temporal-binaries';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    temporalTestServer: string;
  }
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

/** Polls `temporal operator cluster health` until the dev server answers SERVING. */
async function waitForHealth(cli: string, address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const healthy = await new Promise<boolean>((resolve) => {
      const probe = spawn(cli, ['operator', 'cluster', 'health', '--address', address], { stdio: 'pipe' });
      let out = '';
      probe.stdout.on('data', (chunk) => (out += chunk));
      probe.on('close', (code) => resolve(code === 0 && out.includes('SERVING')));
    });
    if (healthy) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal dev server at ${address} did not become healthy within ${timeoutMs} ms`);
}

/** A Temporal dev server started by the tests, and how to stop it. */
export interface DevServer {
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts a headless, in-memory Temporal dev server on a free port and waits until it is healthy.
 * Started directly rather than through TestWorkflowEnvironment.createLocal because sdk-core gives
 * up after 5 s, which a loaded 2-core machine can exceed.
 */
export async function startDevServer(cli: string, extraArgs: string[] = []): Promise<DevServer> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    cli,
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error',
      '--search-attribute', 'TandemOrg=Keyword', '--search-attribute', 'TandemPhase=Keyword', ...extraArgs],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<never>((_, reject) =>
    server.once('exit', (code) => reject(new Error(`temporal server start-dev exited with code ${code} before becoming healthy`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForHealth(cli, address, 60_000), exited]);
  return {
    address,
    async stop() {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    },
  };
}

/** Starts one real Temporal dev server for the whole suite and hands its address to the tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binaries = ensureTemporalBinaries();
  const server = await startDevServer(binaries.cli);
  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', binaries.cli);
  project.provide('temporalTestServer', binaries.testServer);
  return () => server.stop();
}
