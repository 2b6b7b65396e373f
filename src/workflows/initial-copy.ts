/**
 * The initial copy: copies objects in full, one after another, durably. Started by the continuous
 * sync with a deterministic id (`<parent id>/initial-copy`) and parentClosePolicy ABANDON, so the
 * parent's continue-as-new does not end it. Each activity call copies a batch of pages and
 * checkpoints after every page (PostgreSQL and heartbeat), so a retry resumes where the last attempt
 * stopped. Progress goes to the parent by signal; the child continues-as-new itself when its
 * history grows, which a days-long copy would otherwise exceed.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { SyncActivities } from '../activities';
import type { CopyProgress, CopyReason } from '../shared';
import { copyOptions } from './activity-options';
import { failureMessage } from './failure-message';
import { copyObjectsSignal, copyPausedSignal, copyProgressSignal, copyStatusQuery, type CopyReport } from './messages';

/** Input of `initialCopyWorkflow`; the same shape is carried across its continue-as-new. */
export interface InitialCopyInput {
  /** The continuous sync to report progress to. */
  parentWorkflowId: string;
  /** Objects still to copy, the first one in progress. */
  queue: { object: string; reason: CopyReason }[];
  /** Pages per activity call. */
  pagesPerActivity: number;
  paused?: boolean;
  /** True when the first object's copy has been started (its checkpoint reset) by an earlier run. */
  currentStarted?: boolean;
  /** Heartbeat timeout of the copy activities, when the parent overrides the default. */
  heartbeatTimeout?: Duration;
  /** Progress of the objects copied so far. */
  progress?: Record<string, CopyProgress>;
}

/** The copy activities with a summary naming the object, shown on each activity in the Web UI. */
function copyStep(summary: string, heartbeatTimeout?: Duration): SyncActivities {
  return proxyActivities<SyncActivities>({
    ...copyOptions,
    ...(heartbeatTimeout ? { heartbeatTimeout } : {}),
    summary,
  });
}

/** Progress in Markdown, for the Web UI's "current details". */
export function progressDetails(queue: InitialCopyInput['queue'], progress: Record<string, CopyProgress>): string {
  // Each number carries its unit, so adjacent cells never read as one number ("472 of 472 | 1").
  const rows = Object.values(progress).map(
    (p) =>
      `| ${p.object} | ${p.rowsCopied}${p.totalRows !== null ? ` of ${p.totalRows}` : ''} rows | ${p.pagesCopied} ${p.pagesCopied === 1 ? 'page' : 'pages'} | ${p.done ? 'done' : 'copying'} |`,
  );
  return [
    `**Queue:** ${queue.map((q) => q.object).join(', ') || 'empty'}`,
    '',
    '| Object | Rows | Pages | State |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Copies every queued object in full and returns the progress of each (see the module comment). */
export async function initialCopyWorkflow(input: InitialCopyInput): Promise<Record<string, CopyProgress>> {
  const queue = [...input.queue];
  const progress: Record<string, CopyProgress> = { ...(input.progress ?? {}) };
  let paused = input.paused ?? false;
  let currentStarted = input.currentStarted ?? false;

  setHandler(copyObjectsSignal, (requests) => {
    for (const request of requests) {
      const index = queue.findIndex((q) => q.object === request.object);
      if (index === 0 && request.reason === 'resync-requested') {
        // A resync of the object being copied restarts it from its first page.
        queue[0] = request;
        currentStarted = false;
      } else if (index < 0) {
        queue.push(request);
      }
    }
  });
  setHandler(copyPausedSignal, (value) => {
    paused = value;
  });
  setHandler(copyStatusQuery, () => ({
    paused,
    current: queue[0]?.object,
    queue: queue.map((q) => q.object),
    progress,
  }));

  const report = async (message: CopyReport): Promise<void> => {
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(copyProgressSignal, message);
    } catch (error) {
      // The parent may be gone (terminated by an operator); PostgreSQL holds the truth either way.
      log.warn('could not report copy progress to the parent', {
        parent: input.parentWorkflowId,
        error: failureMessage(error),
      });
    }
  };

  for (;;) {
    while (queue.length > 0) {
      await condition(() => !paused);
      const { object, reason } = queue[0];
      let result: CopyProgress;
      try {
        if (!currentStarted) {
          await copyStep(`start the copy of ${object}`, input.heartbeatTimeout).startInitialCopy({ object, reason });
          currentStarted = true;
        }
        result = await copyStep(`copy ${object} pages`, input.heartbeatTimeout).copyObjectPages({
          object,
          reason,
          maxPages: input.pagesPerActivity,
        });
      } catch (error) {
        // Only failures retrying cannot fix get here (bad credentials, an unknown object, a bug in Tandem,
        // an unexpected failure past its attempts — src/activities/errors.ts): report and move on.
        const message = failureMessage(error);
        await report({
          ...(progress[object] ?? { object, rowsCopied: 0, totalRows: null, pagesCopied: 0 }),
          done: false,
          error: message,
        });
        queue.shift();
        currentStarted = false;
        continue;
      }
      progress[object] = result;
      // If a resync of this object arrived while the batch ran, currentStarted is false: the copy restarts.
      if (result.done && currentStarted && queue[0]?.object === object) {
        queue.shift();
        currentStarted = false;
      }
      await report(currentStarted || result.done ? result : { ...result, done: false });
      setCurrentDetails(progressDetails(queue, progress));
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof initialCopyWorkflow>({ ...input, queue, paused, currentStarted, progress });
      }
    }
    // A request that arrived while the last object finished is handled before completing.
    await condition(allHandlersFinished);
    if (queue.length === 0) return progress;
  }
}
