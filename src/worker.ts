/**
 * The Tandem worker: polls the task queue and runs the workflows and the activities.
 * `createSyncWorker` is the one place a Worker is configured (the CLI entry below, `npm start`
 * and the tests all use it); the activities are built once per process with injected clients.
 */
import type { Server } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities, type SyncActivities } from './activities';
import { temporalConnectionOptions } from './temporal/connection';
import { loadConfig, type TandemConfig } from './config';
import { migrate } from './db/migrations';
import { createPool } from './db/pool';
import { logger, redactUrl } from './logger';
import { countSalesforceCall, installRuntime, instrumentActivities, serveMetrics } from './metrics';
import { freePort } from './temporal/dev-server';
import { SalesforceClient } from './salesforce/connection';
import { CredentialsError, loadCredentials, type SalesforceCredentials } from './salesforce/credentials';
import { dataConverter } from './security/data-converter';
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
  tuning?: Partial<
    Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'>
  >;
}

/** Creates (but does not run) a worker for Tandem's workflows and activities. */
export async function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: instrumentActivities(options.activities),
    // The payload codec when TANDEM_PAYLOAD_KEY is set (every client calls the same helper, so they agree).
    dataConverter: dataConverter(),
    // Salesforce allows 25 concurrent long-running requests per org; a worker stays well below.
    maxConcurrentActivityTaskExecutions: 10,
    ...options.tuning,
  });
}

/** A worker running in this process with its own clients. */
export interface RunningSyncWorker {
  worker: Worker;
  pool: pg.Pool;
  /** Settles when the worker stops (after `stop`, or on a fatal error). */
  finished: Promise<void>;
  /** Stops polling, lets running activities finish within the grace time, closes the clients. */
  stop(): Promise<void>;
}

/**
 * Connects to Temporal and PostgreSQL, applies Tandem's migrations, builds the activities and runs
 * a worker. Salesforce is logged into on first use, so the worker starts even while Salesforce is down.
 */
export async function runSyncWorker(
  config: TandemConfig,
  credentials: SalesforceCredentials,
): Promise<RunningSyncWorker> {
  const log = logger.child({ component: 'worker' });
  const pool = createPool({ url: config.database.url }, (error) =>
    log.warn({ err: error.message }, 'idle PostgreSQL connection lost'),
  );
  await migrate(pool);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const activities = createActivities({
    salesforce: () =>
      SalesforceClient.connect({
        credentials,
        apiVersion: config.salesforce.apiVersion,
        onApiCall: countSalesforceCall,
      }),
    db: pool,
    config,
  });
  const worker = await createSyncWorker({
    connection,
    activities,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
  });
  const finished = worker.run().finally(async () => {
    await connection.close();
    await pool.end();
  });
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      temporal: config.temporal.address,
      database: redactUrl(config.database.url),
    },
    'worker running',
  );
  return {
    worker,
    pool,
    finished,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await finished;
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const credentials = loadCredentials();
  if (!credentials) {
    throw new CredentialsError(
      'no Salesforce credentials: set SF_CLIENT_ID + SF_CLIENT_SECRET (client credentials), or SF_USERNAME + SF_PASSWORD (+ SF_SECURITY_TOKEN), or SF_SECRETS_FILE; `npm start` runs against the demo emulator instead',
    );
  }
  const temporalMetricsPort = await freePort();
  installRuntime({ temporalMetricsAddress: `127.0.0.1:${temporalMetricsPort}` });
  let metrics: { url: string; server: Server } | undefined;
  // A signal before the worker runs (still connecting) exits at once; after, it stops the worker cleanly.
  let running: RunningSyncWorker | undefined;
  const onSignal = (): void => {
    if (running) void running.stop();
    else process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
  try {
    if (config.metrics.port > 0) {
      metrics = await serveMetrics({
        port: config.metrics.port,
        host: config.metrics.host,
        temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
      });
      logger.info({ url: metrics.url }, 'metrics endpoint');
    }
    running = await runSyncWorker(config, credentials);
    await running.finished;
  } finally {
    // The listening metrics server would keep the process alive after the worker is gone.
    metrics?.server.close();
    metrics?.server.closeAllConnections();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    // Exit even if a native handle of the Temporal runtime lingers: a process manager restarts us.
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'worker failed');
      process.stderr.write(`Tandem worker stopped: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
