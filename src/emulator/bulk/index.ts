// Entry point of the Bulk API 2.0 emulation: builds the service state for one emulator and
// mounts its routes.
import type { Express } from 'express';
import type { EmulatorContext } from '../context';
import type { ReliabilityKit } from '../fault-kit';
import { JobRegistry } from './jobs';
import { DEFAULT_BULK_OPTIONS, type BulkDeps, type BulkOptions } from './options';
import { registerBulkRoutes } from './routes';
import { storeBulkBackend } from './store-backend';

export type { BulkOptions } from './options';
export { DEFAULT_BULK_OPTIONS } from './options';

/**
 * Creates the Bulk service over the context's store and mounts its routes; per-record lock
 * faults and result-page counts go through `kit`. Returns the service state (jobs, options).
 */
export function installBulkApi(
  app: Express,
  ctx: EmulatorContext,
  kit: ReliabilityKit,
  options: Partial<BulkOptions> = {},
): BulkDeps {
  const registry = new JobRegistry();
  const deps: BulkDeps = {
    registry,
    backend: storeBulkBackend(ctx.store),
    options: { ...DEFAULT_BULK_OPTIONS, ...options },
    recordFault: (method, path) => kit.faults.recordFault(method, path),
    onResultPage: (jobId, rows) => kit.counters.countBulkPage(jobId, rows),
  };
  registerBulkRoutes(app, ctx, deps);
  return deps;
}
