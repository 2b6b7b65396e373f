/**
 * Every signal, query and update of Tandem's workflows, and the state they expose.
 * Operators use these names with `temporal workflow signal|query|update --name …`.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CopyProgress, CopyReason, Direction, OrgInfo, PullResult, PushResult } from '../shared';

/** Input of `resync`: the objects to copy again in full; none = every synced object. */
export interface ResyncRequest {
  objects?: string[];
}

/** Start the next cycle now instead of waiting out the pause. */
export const syncNowSignal = defineSignal<[]>('syncNow');
/** Copy objects again in full (all when none are named). Unknown names are refused and reported in `status`. */
export const resyncSignal = defineSignal<[ResyncRequest?]>('resync');
/** Stop starting cycles (and copy pages) until `resume`. */
export const pauseSignal = defineSignal<[]>('pause');
/** Undo `pause`. */
export const resumeSignal = defineSignal<[]>('resume');
/** Like `resync`, but as an update: the caller gets the accepted objects back, or the refusal as an error. */
export const resyncUpdate = defineUpdate<string[], [ResyncRequest]>('requestResync');
/** The continuous sync's live state. */
export const statusQuery = defineQuery<SyncStatus>('status');

/** Progress of one object's copy as the child reports it; `error` when the copy failed permanently. */
export type CopyReport = CopyProgress & { error?: string };

/** Sent by the initial-copy child to its parent after each batch of pages. */
export const copyProgressSignal = defineSignal<[CopyReport]>('initialCopyProgress');
/** Sent by the parent to the initial-copy child: copy these objects too (or again). Also a liveness probe. */
export const copyObjectsSignal = defineSignal<[{ object: string; reason: CopyReason }[]]>('copyObjects');
/** Sent by the parent to the initial-copy child when the operator pauses or resumes. */
export const copyPausedSignal = defineSignal<[boolean]>('setPaused');
/** The initial-copy child's live state. */
export const copyStatusQuery = defineQuery<InitialCopyStatus>('copyStatus');

/** What the continuous sync is doing right now. */
export type SyncPhase = 'planning' | 'pulling' | 'pushing' | 'waiting' | 'paused' | 'org-mismatch';

/** Where an object stands: see `ObjectStatus.state`. */
export type ObjectState = 'copying' | 'copy-failed' | 'syncing';

/** One object's latest outcomes, as `status` shows them. */
export interface ObjectStatus {
  direction: Direction;
  /**
   * `copying` while its full copy runs (no incremental cycles until it completes); `copy-failed` when
   * the copy failed permanently (no cycles and no new copy until a resync: retrying cannot fix it);
   * else `syncing`.
   */
  state: ObjectState;
  lastPull?: OperationOutcome;
  lastPush?: OperationOutcome;
}

/**
 * The outcome of one activity call for one object: the activity's own result (`PullResult` or
 * `PushResult`, less the object name the status is keyed by), and when and how the call ended.
 * Typed from the results so every field an activity reports reaches `status` without a copy by hand.
 */
export type OperationOutcome = Partial<OperationResult> & {
  ok: boolean;
  /** Cycle the outcome belongs to. */
  cycle: number;
  finishedAt: string;
  durationMs: number;
  /** The failure message, after the activity's retries ran out, or why the call was skipped. */
  error?: string;
};

/** The fields of a pull or push result that `status` shows (all of them but the object name). */
export type OperationResult = Omit<PullResult, 'object'> & Omit<PushResult, 'object'>;

/** Progress of one object's full copy, with its reason and start time. */
export interface CopyStatus extends CopyProgress {
  reason: CopyReason;
  /** Why the copy failed, when it did; a failed copy is not retried until a resync. */
  error?: string;
  startedAt: string;
  finishedAt?: string;
}

/** The `status` query's answer. */
export interface SyncStatus {
  phase: SyncPhase;
  cycle: number;
  paused: boolean;
  /** When the current or last cycle started, and when the next one is due (ISO-8601). */
  cycleStartedAt?: string;
  nextCycleAt?: string;
  objects: Record<string, ObjectStatus>;
  /** Full copies running or finished in this workflow's lifetime, by object. */
  initialCopy: Record<string, CopyStatus>;
  /** Resync requests accepted but not yet started. */
  pendingResync: string[];
  apiUsage?: { used: number; limit: number };
  /** True while cycles are slowed because API usage is above the configured share of the daily limit. */
  throttled: boolean;
  /** Recent messages for the operator (refused requests, slowed cycles), newest last. */
  notices: string[];
  /** The Salesforce org the data schema is bound to, as the last plan saw it. */
  org?: OrgInfo & { boundAt: string };
  /**
   * Set while the credentials log into another org than the bound one: nothing is pulled, copied or
   * pushed; each cycle checks again, so fixing the credentials (or `tandem rebind`) resumes the sync.
   */
  orgMismatch?: { bound: OrgInfo & { boundAt: string }; connected: OrgInfo; message: string; since: string };
}

/** The `copyStatus` query's answer. */
export interface InitialCopyStatus {
  paused: boolean;
  current?: string;
  queue: string[];
  progress: Record<string, CopyProgress>;
}
