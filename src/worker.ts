/**
 * The Tandem worker: polls the task queue and runs the workflows and the activities.
 * `createSyncWorker` is the one place a Worker is configured (the CLI entry below, `npm start`
 * and the tests all use it); the activities are built once per process with injected clients.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { SyncActivities } from './activities';
import { DEFAULT_TASK_QUEUE } from './shared';

/** The module the worker bundles as workflow code. */
export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** What a sync worker needs: a connection to Temporal and the activity implementations. */
export interface SyncWorkerOptions {
  connection: NativeConnection;
  activities: SyncActivities;
  namespace?: string;
  taskQueue?: string;
  /** A pre-built workflow bundle (tests build one per file to save the ~1 s bundling). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra Worker settings (concurrency, tuning). */
  tuning?: Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'>>;
}

/** Creates (but does not run) a worker for Tandem's workflows and activities. */
export async function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: options.activities,
    // Salesforce allows 25 concurrent long-running requests per org; a worker stays well below.
    maxConcurrentActivityTaskExecutions: 10,
    ...options.tuning,
  });
}
