import { readFileSync, writeFileSync } from 'node:fs';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { continuousSyncWorkflow } from '../../src/workflows';
import { resyncSignal, statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { DEFAULT_SYNC_OBJECTS, initialCopyWorkflowId } from '../../src/shared';
import { FakeSync } from '../support/fake-activities';
import { eventually, useTemporal } from '../support/temporal';

const fixtures = {
  sync: new URL('./fixtures/continuous-sync.history.json', import.meta.url),
  copy: new URL('./fixtures/initial-copy.history.json', import.meta.url),
};

describe('replay of recorded histories', () => {
  const temporal = useTemporal();

  // Re-record after an intentional, versioned workflow change: RECORD_REPLAY_FIXTURES=1 npx vitest run test/workflows/replay.test.ts
  it.runIf(process.env.RECORD_REPLAY_FIXTURES === '1')(
    'records a history covering cycles, signals, the copy child and continue-as-new',
    async () => {
      const all = DEFAULT_SYNC_OBJECTS.map((o) => o.name);
      const fake = new FakeSync(all, {
        copied: all.filter((o) => o !== 'Campaign'),
        pagesPerObject: 3,
        pullFailures: { Task: 1 },
      });
      const taskQueue = temporal.current.taskQueue();
      await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
        const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
          taskQueue,
          workflowId: 'replay-fixture',
          args: [{ pauseBetweenCycles: '1 hour', maxCyclesPerRun: 3, copyPagesPerActivity: 1 }],
        });
        await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');
        await handle.signal(resyncSignal, { objects: ['Account'] });
        await eventually(async () => (await handle.query(statusQuery)).initialCopy.Account?.done);
        await handle.signal(syncNowSignal);
        await eventually(async () => (await handle.query(statusQuery)).cycle === 3);
        // The third cycle's pause ends on this signal, and the run continues as new.
        await handle.signal(syncNowSignal);
        await eventually(
          async () =>
            (await temporal.current.client.workflow.getHandle(handle.workflowId).describe()).runId !==
            handle.firstExecutionRunId,
        );
        const first = temporal.current.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
        writeFileSync(fixtures.sync, historyToJSON(await first.fetchHistory()));
        const child = temporal.current.client.workflow.getHandle(initialCopyWorkflowId(handle.workflowId));
        writeFileSync(fixtures.copy, historyToJSON(await child.fetchHistory()));
        await handle.terminate();
      });
    },
  );

  it('replays the recorded continuous-sync and initial-copy histories without non-determinism', async () => {
    const raw = [fixtures.sync, fixtures.copy].map(
      (file) => JSON.parse(readFileSync(file, 'utf8')) as { events: { eventType: string }[] },
    );
    const histories = [
      { workflowId: 'replay-fixture', history: historyFromJSON(raw[0]) },
      { workflowId: 'replay-fixture/initial-copy', history: historyFromJSON(raw[1]) },
    ];
    // The fixture covers the moments most likely to break on a careless change.
    const eventTypes = (i: number) => raw[i].events.map((e) => e.eventType);
    expect(eventTypes(0).at(-1)).toMatch(/CONTINUED_AS_NEW/);
    for (const type of ['START_CHILD_WORKFLOW_EXECUTION_INITIATED', 'WORKFLOW_EXECUTION_SIGNALED']) {
      expect(
        eventTypes(0).some((t) => t.includes(type)),
        type,
      ).toBe(true);
    }
    expect(eventTypes(1).some((t) => t.includes('SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'))).toBe(true);
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: temporal.current.workflowBundle },
      histories,
    ))
      results.push(result);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual([
      ['replay-fixture', undefined],
      ['replay-fixture/initial-copy', undefined],
    ]);
  });
});
