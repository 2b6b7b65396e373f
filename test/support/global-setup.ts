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

let devServer: ChildProcess | undefined;

/**
 * Starts one real Temporal dev server (headless, in memory) for the whole suite and hands its
 * address to the tests. Started here rather than through TestWorkflowEnvironment.createLocal because
 * sdk-core gives up after 5 s, which a loaded 2-core machine can exceed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binaries = ensureTemporalBinaries();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  devServer = spawn(
    binaries.cli,
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error',
      '--search-attribute', 'TandemOrg=Keyword', '--search-attribute', 'TandemPhase=Keyword'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitForHealth(binaries.cli, address, 60_000);
  project.provide('temporalAddress', address);
  project.provide('temporalCli', binaries.cli);
  project.provide('temporalTestServer', binaries.testServer);
  return async () => {
    if (!devServer || devServer.exitCode !== null) return;
    const exited = new Promise((r) => devServer!.once('exit', r));
    devServer.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (devServer.exitCode === null) devServer.kill('SIGKILL');
  };
}
