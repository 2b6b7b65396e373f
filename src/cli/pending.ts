/**
 * The activities Temporal has scheduled or running for the sync and its initial-copy child, read
 * from `describe()` (DescribeWorkflowExecution's pending activities): what `status` and the progress
 * line show while an activity retries or waits out a dead worker's heartbeat timeout.
 * https://docs.temporal.io/activity-execution#activity-heartbeat
 */
import type { Client } from '@temporalio/client';
import { initialCopyWorkflowId } from '../shared';
import type { PendingActivity } from './format';

type Timestamp =
  { seconds?: { toNumber(): number } | number | string | null; nanos?: number | null } | null | undefined;

function iso(ts: Timestamp): string | undefined {
  if (!ts?.seconds) return undefined;
  const seconds = typeof ts.seconds === 'object' ? ts.seconds.toNumber() : Number(ts.seconds);
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

// temporal.api.enums.v1.PendingActivityState
const STATES: Record<number, PendingActivity['state']> = {
  1: 'scheduled',
  2: 'started',
  3: 'cancel-requested',
  4: 'paused',
  5: 'pause-requested',
};

/** Pending activities of one workflow; none when it does not exist or is closed. */
async function pendingOf(client: Client, workflowId: string): Promise<PendingActivity[]> {
  const description = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (!description || description.status.name !== 'RUNNING') return [];
  return (description.raw.pendingActivities ?? []).map((a) => ({
    workflowId,
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '?',
    state: STATES[Number(a.state)] ?? 'scheduled',
    attempt: a.attempt ?? 1,
    maximumAttempts: a.maximumAttempts ?? 0,
    scheduledAt: iso(a.scheduledTime as Timestamp),
    startedAt: iso(a.lastStartedTime as Timestamp),
    lastHeartbeatAt: iso(a.lastHeartbeatTime as Timestamp),
    lastFailure: a.lastFailure?.message ?? undefined,
    lastWorker: a.lastWorkerIdentity || undefined,
    nextAttemptAt: iso(a.nextAttemptScheduleTime as Timestamp),
  }));
}

/** Pending activities of the sync workflow and of its initial-copy child. */
export async function pendingActivities(client: Client, workflowId: string): Promise<PendingActivity[]> {
  const [own, copy] = await Promise.all([
    pendingOf(client, workflowId),
    pendingOf(client, initialCopyWorkflowId(workflowId)),
  ]);
  return [...own, ...copy];
}
