/**
 * Every signal, query and update of Tandem's workflows, and the state they expose.
 * Operators use these names with `temporal workflow signal|query|update --name …`.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CopyProgress, CopyReason, Direction, OrgInfo } from '../shared';

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

/** One object's latest outcomes, as `status` shows them. */
export interface ObjectStatus {
  direction: Direction;
  /** `copying` while its initial copy runs (no incremental cycles until it completes), else `syncing`. */
  state: 'copying' | 'syncing';
  lastPull?: OperationOutcome;
  lastPush?: OperationOutcome;
}

/** The outcome of one activity call for one object. */
export interface OperationOutcome {
  ok: boolean;
  /** Cycle the outcome belongs to. */
  cycle: number;
  finishedAt: string;
  durationMs: number;
  rowsPulled?: number;
  rowsDeleted?: number;
  rowsPushed?: number;
  rowsFailed?: number;
  backlog?: number;
  /** Age in seconds of the oldest marketing-side change still waiting to be pushed. */
  oldestPendingSeconds?: number | null;
  /** Same-field conflicts decided (and logged in tandem.conflict_log) by this push. */
  conflicts?: number;
  /** Sync errors still open for the object (tandem.sync_error). */
  openErrors?: number;
  /** Marketing-side deletes kept local because delete propagation is off for the object. */
  deletesNotPropagated?: number;
  /** New marketing rows linked to an existing Salesforce record instead of created. */
  linked?: number;
  /** Why the push stopped early (a transient failure of a whole call); the rest waits for the next cycle. */
  interrupted?: string;
  watermark?: string | null;
  /** The failure message, after the activity's retries ran out. */
  error?: string;
}

/** Progress of one object's full copy, with its reason and start time. */
export interface CopyStatus extends CopyProgress {
  reason: CopyReason;
  /** Why the copy failed, when it did (it is retried at the next cycle). */
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
