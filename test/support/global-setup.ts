import type { TestProject } from 'vitest/node';
import { ensureTemporalBinaries } from '../../src/temporal/binaries';
import { startDevServer } from '../../src/temporal/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    temporalTestServer: string;
  }
}

/** Starts one real Temporal dev server (headless, in memory) for the whole suite and hands its address to the tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binaries = ensureTemporalBinaries();
  const server = await startDevServer({ cli: binaries.cli });
  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', binaries.cli);
  project.provide('temporalTestServer', binaries.testServer);
  return () => server.stop();
}
