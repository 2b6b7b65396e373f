import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, DefaultLogger, type Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import type { SyncActivities } from '../../src/activities';
import { dataConverter } from '../../src/security/data-converter';
import { createSyncWorker, workflowsPath } from '../../src/worker';

import './quiet-runtime';

/** A connection pair to the suite's Temporal dev server, and the workflow bundle built once per file. */
export interface TemporalHarness {
  client: Client;
  connection: NativeConnection;
  workflowBundle: { code: string };
  /** A task queue no other test uses. */
  taskQueue(): string;
  /** Runs a worker with these activities while `fn` runs, on the given task queue. */
  withWorker<T>(taskQueue: string, activities: SyncActivities, fn: (worker: Worker) => Promise<T>): Promise<T>;
}

/** Connects the calling test file to a Temporal server (the suite's dev server by default). */
export function useTemporal(address: () => string = () => inject('temporalAddress')): {
  readonly current: TemporalHarness;
} {
  const holder: { current?: TemporalHarness } = {};
  let clientConnection: Connection | undefined;
  beforeAll(async () => {
    const [connection, workflowBundle, conn] = await Promise.all([
      NativeConnection.connect({ address: address() }),
      // The bundle must carry the failure converter the codec uses (TANDEM_PAYLOAD_KEY set), like the worker's own bundling.
      bundleWorkflowCode({
        workflowsPath,
        failureConverterPath: dataConverter()?.failureConverterPath,
        logger: new DefaultLogger('WARN'),
      }),
      Connection.connect({ address: address() }),
    ]);
    clientConnection = conn;
    const client = new Client({ connection: conn, dataConverter: dataConverter() });
    holder.current = {
      client,
      connection,
      workflowBundle,
      taskQueue: () => `test-${randomBytes(4).toString('hex')}`,
      async withWorker(taskQueue, activities, fn) {
        const worker = await createSyncWorker({
          connection,
          activities,
          taskQueue,
          workflowBundle,
          tuning: { shutdownGraceTime: '1s' },
        });
        return worker.runUntil(fn(worker));
      },
    };
  });
  afterAll(async () => {
    await holder.current?.connection.close();
    await clientConnection?.close();
  });
  return {
    get current(): TemporalHarness {
      if (!holder.current) throw new Error('useTemporal: available only inside tests and hooks');
      return holder.current;
    },
  };
}

export { eventually } from './eventually';
