import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { continuousSyncWorkflow } from '../../src/workflows';
import { resyncSignal, resyncUpdate, statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { DEFAULT_SYNC_OBJECTS, TANDEM_ORG, TANDEM_PHASE, initialCopyWorkflowId } from '../../src/shared';
import { FakeSync } from '../support/fake-activities';
import { eventually, useTemporal } from '../support/temporal';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);
const TWO_WAY = DEFAULT_SYNC_OBJECTS.filter((o) => o.direction === 'two-way').map((o) => o.name);

describe('continuousSyncWorkflow on a real Temporal dev server', () => {
  const temporal = useTemporal();

  async function start(fake: FakeSync, taskQueue: string, input: Parameters<typeof continuousSyncWorkflow>[0] = {}) {
    const workflowId = `sync-${taskQueue}`;
    const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
      taskQueue,
      workflowId,
      args: [input],
    });
    return handle;
  }

  it('pulls every object in dependency order, then pushes the two-way objects', async () => {
    const fake = new FakeSync(ALL);
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await start(fake, taskQueue, { pauseBetweenCycles: '1 hour' });
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.phase === 'waiting' ? s : undefined;
      });
      expect(fake.callsOf('pullChanges').map((c) => c.object)).toEqual(ALL);
      expect(fake.callsOf('pushChanges').map((c) => c.object)).toEqual(TWO_WAY);
      const pullsDone = Math.max(...fake.callsOf('pullChanges').map((c) => c.at));
      expect(Math.min(...fake.callsOf('pushChanges').map((c) => c.at))).toBeGreaterThanOrEqual(pullsDone);
      expect(status.cycle).toBe(1);
      expect(status.objects.Lead.lastPull).toMatchObject({ ok: true, rowsPulled: 2, cycle: 1 });
      expect(status.objects.Lead.lastPush).toMatchObject({ ok: true, rowsPushed: 1 });
      expect(status.objects.Account.lastPush).toBeUndefined();
      expect(status.apiUsage?.limit).toBe(15_000);
      await handle.terminate();
    });
  });

  // syncNow and pause are tested on the time-skipping server (time-skipping.test.ts), where their timing is exact.

  it('copies objects never copied before their incremental cycles start, while the others keep cycling', async () => {
    const fake = new FakeSync(ALL, { copied: ALL.filter((o) => o !== 'Lead'), pagesPerObject: 6, pageDelayMs: 400 });
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await start(fake, taskQueue, { pauseBetweenCycles: '1 second', copyPagesPerActivity: 2 });
      const during = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return (s.objects.Contact.lastPull?.cycle ?? 0) >= 2 && s.objects.Lead.state === 'copying' ? s : undefined;
      });
      expect(during.objects.Lead.lastPull).toBeUndefined();
      expect(fake.callsOf('pullChanges', 'Lead')).toHaveLength(0);
      expect(fake.callsOf('pullChanges', 'Contact').length).toBeGreaterThanOrEqual(2);

      const after = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.objects.Lead.lastPull?.ok ? s : undefined;
      });
      expect(after.initialCopy.Lead).toMatchObject({
        done: true,
        rowsCopied: 600,
        totalRows: 600,
        reason: 'never-copied',
      });
      expect(fake.pagesFetched.get('Lead')).toEqual([1, 2, 3, 4, 5, 6]);
      const copyDescription = await temporal.current.client.workflow
        .getHandle(initialCopyWorkflowId(handle.workflowId))
        .describe();
      expect(copyDescription.status.name).toBe('COMPLETED');
      await handle.terminate();
    });
  });

  it('resyncs one object on request: its copy restarts while the others keep cycling', async () => {
    const fake = new FakeSync(ALL, { pagesPerObject: 5, pageDelayMs: 400 });
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await start(fake, taskQueue, { pauseBetweenCycles: '1 second', copyPagesPerActivity: 1 });
      await eventually(async () => (await handle.query(statusQuery)).cycle >= 1);
      await handle.signal(resyncSignal, { objects: ['Account'] });
      await eventually(async () => (await handle.query(statusQuery)).objects.Account.state === 'copying');
      const accountPullsAtStart = fake.callsOf('pullChanges', 'Account').length;
      const contactPullsAtStart = fake.callsOf('pullChanges', 'Contact').length;
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.initialCopy.Account?.done ? s : undefined;
      });
      expect(status.initialCopy.Account.reason).toBe('resync-requested');
      expect(fake.callsOf('startInitialCopy', 'Account')).toHaveLength(1);
      expect(fake.callsOf('startInitialCopy', 'Contact')).toHaveLength(0);
      expect(fake.callsOf('pullChanges', 'Contact').length).toBeGreaterThan(contactPullsAtStart);
      // No incremental pull of Account ran while its copy was in progress.
      const copyCalls = fake.callsOf('copyObjectPages', 'Account');
      const copyEnded = copyCalls[copyCalls.length - 1].at;
      const pullsDuringCopy = fake.callsOf('pullChanges', 'Account').filter((c) => c.at < copyEnded);
      expect(pullsDuringCopy).toHaveLength(accountPullsAtStart);
      await handle.terminate();
    });
  });

  it('refuses a resync of an unknown object with a clear message and keeps running', async () => {
    const fake = new FakeSync(ALL);
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await start(fake, taskQueue, { pauseBetweenCycles: '1 hour' });
      await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');

      const refused = await handle
        .executeUpdate(resyncUpdate, { args: [{ objects: ['Leed'] }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(
        /unknown object Leed; synced objects are User, Group, Account/,
      );

      await handle.signal(resyncSignal, { objects: ['Lead', 'Opportunityy'] });
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.notices.some((n) => n.includes('Opportunityy')) ? s : undefined;
      });
      expect(status.notices.at(-1)).toMatch(/refused resync: unknown object Opportunityy/);
      expect(status.pendingResync).toEqual([]);
      expect(fake.callsOf('startInitialCopy')).toHaveLength(0);

      const accepted = await handle.executeUpdate(resyncUpdate, { args: [{ objects: ['Campaign'] }] });
      expect(accepted).toEqual(['Campaign']);
      await eventually(() => fake.callsOf('startInitialCopy', 'Campaign').length === 1);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate();
    });
  });

  it('retries a failing object, reports what still fails, and syncs the others', async () => {
    const fake = new FakeSync(ALL, { pullFailures: { Contact: 2, Opportunity: 'permanent' } });
    const taskQueue = temporal.current.taskQueue();
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await start(fake, taskQueue, { pauseBetweenCycles: '1 hour' });
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.phase === 'waiting' ? s : undefined;
      });
      expect(fake.callsOf('pullChanges', 'Contact').map((c) => c.attempt)).toEqual([1, 2, 3]);
      expect(status.objects.Contact.lastPull).toMatchObject({ ok: true });
      expect(fake.callsOf('pullChanges', 'Opportunity')).toHaveLength(1);
      expect(status.objects.Opportunity.lastPull).toMatchObject({
        ok: false,
        error: expect.stringMatching(/INVALID_FIELD.*Opportunity/),
      });
      for (const name of ['OpportunityContactRole', 'Task', 'Event'])
        expect(status.objects[name].lastPull?.ok).toBe(true);
      expect(fake.callsOf('pushChanges').map((c) => c.object)).toEqual(TWO_WAY);
      await handle.terminate();
    });
  });

  it('shows its state in the Web UI: summaries, current details and filterable search attributes', async () => {
    const fake = new FakeSync(ALL, { copied: ALL.filter((o) => o !== 'Event'), pagesPerObject: 2 });
    const taskQueue = temporal.current.taskQueue();
    const org = `org-${taskQueue}`;
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
        taskQueue,
        workflowId: `ui-${taskQueue}`,
        args: [{ pauseBetweenCycles: '1 hour' }],
        staticSummary: `Tandem continuous sync (${org})`,
        typedSearchAttributes: [{ key: TANDEM_ORG, value: org }],
      });
      await eventually(async () => (await handle.query(statusQuery)).initialCopy.Event?.done);
      // The last copy finishing moves TandemPhase to syncing at once, not after the hour's pause.
      await eventually(async () => (await handle.describe()).typedSearchAttributes.get(TANDEM_PHASE) === 'syncing');
      await handle.signal(syncNowSignal);
      await eventually(async () => (await handle.query(statusQuery)).cycle === 2);
      const found = await eventually(async () => {
        const ids: string[] = [];
        for await (const w of temporal.current.client.workflow.list({
          query: `TandemOrg = '${org}' AND TandemPhase = 'syncing'`,
        }))
          ids.push(w.workflowId);
        return ids.length ? ids : undefined;
      });
      expect(found).toEqual([handle.workflowId]);
      const description = await handle.describe();
      expect(await description.staticSummary()).toBe(`Tandem continuous sync (${org})`);
      expect(description.typedSearchAttributes.get(TANDEM_PHASE)).toBe('syncing');
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toMatch(/\*\*Cycle [12]\*\*/);
      expect(metadata.currentDetails).toMatch(
        /\| Lead \| two-way \| syncing \| 2 pulled, 0 deleted \| 1 pushed, 0 failed \|/,
      );
      // Each activity carries a summary naming its step.
      const history = await handle.fetchHistory();
      const summaries = history
        .events!.filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => e.userMetadata?.summary?.data);
      const decoded = summaries.map((d) => (d ? JSON.parse(Buffer.from(d).toString()) : undefined));
      expect(decoded).toContain('pull Lead');
      expect(decoded).toContain('push Campaign');
      await handle.terminate();
    });
  });
});
