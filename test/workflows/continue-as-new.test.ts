import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { continuousSyncWorkflow } from '../../src/workflows';
import { resyncSignal, statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { DEFAULT_SYNC_OBJECTS, initialCopyWorkflowId } from '../../src/shared';
import { FakeSync } from '../support/fake-activities';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { eventually, useTemporal } from '../support/temporal';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);

// A dev server of this file's own, whose suggested continue-as-new threshold is low enough that
// every run of the sync workflow is asked to continue as new after about one cycle.
let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({
    cli: inject('temporalCli'),
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  });
});
afterAll(async () => server?.stop());

describe('continue-as-new', () => {
  const temporal = useTemporal(() => server.address);

  async function runIds(workflowId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of temporal.current.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      ids.push(execution.runId);
    return ids;
  }

  it('continues as new with its state and loses no signal sent around it', async () => {
    const fake = new FakeSync(ALL);
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
        taskQueue,
        workflowId: `can-${taskQueue}`,
        args: [{ pauseBetweenCycles: '1 hour', copyPagesPerActivity: 1 }],
      });
      // A burst of signals while the workflow cycles and continues as new: each resync must be honoured.
      const resynced = ['Account', 'Contact', 'Campaign', 'Task', 'Event', 'Opportunity'];
      for (const object of resynced) {
        await handle.signal(resyncSignal, { objects: [object] });
        await handle.signal(syncNowSignal);
        await new Promise((r) => setTimeout(r, 150));
      }
      await eventually(() => resynced.every((o) => fake.callsOf('startInitialCopy', o).length === 1), 60_000);
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return resynced.every((o) => s.initialCopy[o]?.done) && s.phase === 'waiting' ? s : undefined;
      }, 60_000);
      expect(await eventually(async () => ((await runIds(handle.workflowId)).length > 1 ? true : undefined))).toBe(
        true,
      );
      // The cycle count carries across runs: one cycle per syncNow at most, and never reset.
      expect(status.cycle).toBeGreaterThanOrEqual(2);
      expect(status.cycle).toBe(fake.callsOf('planCycle').length);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate();
    });
  });

  it('keeps the initial copy running across the parent continuing as new, and resumes it from the heartbeat after a crash', async () => {
    const fake = new FakeSync(ALL, {
      copied: ALL.filter((o) => o !== 'Lead'),
      pagesPerObject: 8,
      pageDelayMs: 300,
      copyCrashAt: { object: 'Lead', page: 3 },
    });
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
        taskQueue,
        workflowId: `copy-can-${taskQueue}`,
        args: [{ pauseBetweenCycles: '1 second', copyPagesPerActivity: 10 }],
      });
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.objects.Lead.lastPull?.ok ? s : undefined;
      }, 90_000);
      expect((await runIds(handle.workflowId)).length).toBeGreaterThan(1);
      expect(status.initialCopy.Lead).toMatchObject({ done: true, pagesCopied: 8 });
      const pages = fake.pagesFetched.get('Lead')!;
      // The retry after the crash resumed from the heartbeat cursor: page 1 was fetched once, every page at least once.
      expect(pages.filter((p) => p === 1)).toHaveLength(1);
      expect(new Set(pages)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
      expect(fake.callsOf('copyObjectPages', 'Lead').map((c) => c.attempt)).toEqual([1, 2]);
      expect(fake.callsOf('startInitialCopy', 'Lead')).toHaveLength(1);
      const child = await temporal.current.client.workflow
        .getHandle(initialCopyWorkflowId(handle.workflowId))
        .describe();
      expect(child.status.name).toBe('COMPLETED');
      await handle.terminate();
    });
  });
});
