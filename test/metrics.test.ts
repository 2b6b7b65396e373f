import { bundleWorkflowCode, DefaultLogger, NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { installRuntime, serveMetrics } from '../src/metrics';
import { DEFAULT_SYNC_OBJECTS } from '../src/shared';
import { freePort } from '../src/temporal/dev-server';
import { createSyncWorker, workflowsPath } from '../src/worker';
import { continuousSyncWorkflow } from '../src/workflows';
import { statusQuery } from '../src/workflows/messages';
import { FakeSync } from './support/fake-activities';
import { eventually } from './support/eventually';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);
const temporalMetricsPort = await freePort();
// This file's process exports the Temporal runtime's metrics, as a worker process does.
installRuntime({ temporalMetricsAddress: `127.0.0.1:${temporalMetricsPort}` });

describe('the Prometheus endpoint', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("serves Tandem's own metrics and the Temporal runtime's from one /metrics", async () => {
    const metrics = await serveMetrics({
      port: 0,
      temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
    });
    closers.push(() => new Promise((r) => metrics.server.close(r)));
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    closers.push(() => connection.close());
    const clientConnection = await Connection.connect({ address: inject('temporalAddress') });
    closers.push(() => clientConnection.close());
    const client = new Client({ connection: clientConnection });

    const fake = new FakeSync(ALL, { pullFailures: { Task: 1 } });
    const taskQueue = `metrics-${Date.now()}`;
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const worker = await createSyncWorker({ connection, activities: fake.activities(), taskQueue, workflowBundle });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(continuousSyncWorkflow, {
        taskQueue,
        workflowId: taskQueue,
        args: [{ pauseBetweenCycles: '1 hour' }],
      });
      await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');
      const text = await eventually(
        async () => {
          const body = await (await fetch(metrics.url)).text();
          // The runtime exports on an interval: wait until the workflow's cycle histogram shows up.
          return body.includes('tandem_cycle_duration') ? body : undefined;
        },
        30_000,
        500,
      );
      expect(text).toMatch(/^tandem_rows_pulled_total\{object="Lead"\} 2$/m);
      expect(text).toMatch(/^tandem_rows_pushed_total\{object="Campaign"\} 1$/m);
      expect(text).toMatch(/^tandem_outbox_backlog\{object="Contact"\} 0$/m);
      expect(text).toMatch(/^tandem_salesforce_api_usage\{kind="limit"\} 15000$/m);
      expect(text).toMatch(
        /^tandem_activity_errors_total\{activity="pullChanges",object="Task",type="SERVER_UNAVAILABLE"\} 1$/m,
      );
      expect(text).toMatch(/^temporal_\w+/m);
      await handle.terminate();
    });
    const notFound = await fetch(metrics.url.replace('/metrics', '/other'));
    expect(notFound.status).toBe(404);
  });
});
