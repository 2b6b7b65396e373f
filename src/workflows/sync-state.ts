/**
 * The continuous sync's state and every transition of it, as plain functions: no Temporal calls, no
 * clock (callers pass `now`), so each transition is unit-tested without a server
 * (test/workflows/sync-state.test.ts). `continuous-sync.ts` is the loop that calls these around its
 * activities, timers and signals. Transitions mutate the state in place: the `status` query handler
 * holds that same object.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { CopyReason, CyclePlan, SyncObject } from '../shared';
import type { CopyReport, ObjectState, OperationOutcome, OperationResult, ResyncRequest, SyncStatus } from './messages';

/** The workflow's state: `status` without the phase, which only the running loop knows. */
export type SyncState = Omit<SyncStatus, 'phase'>;

/** One object to copy in full, and why. */
export interface CopyRequest {
  object: string;
  reason: CopyReason;
}

/** Notices kept for the operator; older ones drop off so the state stays small. */
export const MAX_NOTICES = 20;

/** What a failed copy's status says next to the failure, so the operator knows what to do. */
export const HELD_UNTIL_RESYNC = 'not retried until a resync of the object';

/** The state of a first start: every object syncing, nothing run yet. */
export function freshState(objects: readonly SyncObject[]): SyncState {
  return {
    cycle: 0,
    paused: false,
    objects: Object.fromEntries(objects.map((o) => [o.name, { direction: o.direction, state: 'syncing' as const }])),
    initialCopy: {},
    pendingResync: [],
    throttled: false,
    notices: [],
  };
}

/** Brings carried state in line with the configured objects (objects may be added or removed between runs). */
export function reconcile(state: SyncState, objects: readonly SyncObject[]): void {
  const names = new Set(objects.map((o) => o.name));
  for (const name of Object.keys(state.objects)) if (!names.has(name)) delete state.objects[name];
  for (const o of objects) {
    const existing = state.objects[o.name];
    if (existing) existing.direction = o.direction;
    else state.objects[o.name] = { direction: o.direction, state: 'syncing' };
  }
  state.pendingResync = state.pendingResync.filter((o) => names.has(o));
}

/** Adds a notice stamped `now`, dropping the oldest beyond MAX_NOTICES. */
export function addNotice(state: SyncState, message: string, now: string): void {
  state.notices.push(`${now} ${message}`);
  if (state.notices.length > MAX_NOTICES) state.notices.splice(0, state.notices.length - MAX_NOTICES);
}

/**
 * Checks a resync request against the synced objects. Returns the objects to copy (all when none
 * are named) or throws an ApplicationFailure naming the unknown ones.
 */
export function validateResync(request: ResyncRequest | undefined, known: readonly string[]): string[] {
  const requested = request?.objects ?? [];
  if (!Array.isArray(requested) || requested.some((o) => typeof o !== 'string')) {
    throw ApplicationFailure.nonRetryable(
      'resync: "objects" must be a list of Salesforce object names',
      'InvalidRequest',
    );
  }
  const unknown = requested.filter((o) => !known.includes(o));
  if (unknown.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `resync: unknown object${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; synced objects are ${known.join(', ')}`,
      'InvalidRequest',
    );
  }
  return requested.length > 0 ? [...new Set(requested)] : [...known];
}

/** Queues accepted resyncs for the next cycle, each object once. */
export function queueResync(state: SyncState, accepted: readonly string[]): void {
  for (const o of accepted) if (!state.pendingResync.includes(o)) state.pendingResync.push(o);
}

/** True while the object's full copy runs. */
export function isCopying(state: SyncState, object: string): boolean {
  return state.objects[object]?.state === 'copying';
}

/** The objects whose full copy runs, in the given order. */
export function copyingObjects(state: SyncState, names: readonly string[]): string[] {
  return names.filter((name) => isCopying(state, name));
}

/** Applies what planning found: API usage and throttling. Returns the notice to give when cycles just slowed. */
/**
 * Applies the plan's org check: a mismatch (the credentials reach another org than the bound one)
 * stops this cycle — nothing pulled, copied or pushed — until a plan sees the bound org again.
 * Returns whether the cycle may go on, and the notice for a change either way.
 */
export function applyOrgCheck(state: SyncState, plan: CyclePlan, now: string): { proceed: boolean; notice?: string } {
  if (plan.orgMismatch) {
    const first = !state.orgMismatch;
    state.orgMismatch = { ...plan.orgMismatch, since: state.orgMismatch?.since ?? now };
    return { proceed: false, ...(first ? { notice: `sync stopped: ${plan.orgMismatch.message}` } : {}) };
  }
  const resumed = state.orgMismatch;
  state.orgMismatch = undefined;
  state.org = plan.org ?? state.org;
  return {
    proceed: true,
    ...(resumed
      ? { notice: `sync resumed: connected to the bound org ${plan.org?.orgId ?? resumed.bound.orgId} again` }
      : {}),
  };
}

export function applyPlan(state: SyncState, plan: CyclePlan, throttledPause: string): string | undefined {
  state.apiUsage = plan.apiUsage ?? state.apiUsage;
  const justThrottled = plan.throttled === true && !state.throttled;
  state.throttled = plan.throttled ?? false;
  if (!justThrottled) return undefined;
  const usage = plan.apiUsage ? ` (${plan.apiUsage.used}/${plan.apiUsage.limit})` : '';
  return `API usage is above the budget${usage}: cycles slowed to every ${throttledPause}`;
}

/**
 * The copies a cycle asks for: pending resyncs first, then what planning found, less unknown objects
 * and those whose copy failed permanently (`copy-failed`: held until a resync). Clears
 * the pending resyncs. `toStart` leaves out objects already copying, unless a resync restarts them
 * (the child handles the restart).
 */
export function takeCopyRequests(
  state: SyncState,
  plan: CyclePlan,
  names: readonly string[],
): { requests: CopyRequest[]; toStart: CopyRequest[] } {
  const held = (object: string): boolean => state.objects[object]?.state === 'copy-failed';
  const requests: CopyRequest[] = [
    ...state.pendingResync.map((object) => ({ object, reason: 'resync-requested' as CopyReason })),
    ...plan.needsCopy.filter(
      (n) => names.includes(n.object) && !state.pendingResync.includes(n.object) && !held(n.object),
    ),
  ];
  state.pendingResync = [];
  const toStart = requests.filter((r) => !isCopying(state, r.object) || r.reason === 'resync-requested');
  return { requests, toStart };
}

/** Marks the objects copying, with fresh progress entries, as their copy is handed to the child. */
export function markCopiesStarted(state: SyncState, requests: readonly CopyRequest[], now: string): void {
  for (const { object, reason } of requests) {
    state.objects[object].state = 'copying';
    state.initialCopy[object] = {
      object,
      reason,
      done: false,
      rowsCopied: 0,
      totalRows: null,
      pagesCopied: 0,
      startedAt: now,
    };
  }
}

/** Puts the objects back to syncing when their copy could not be started (the next cycle asks again). */
export function markCopiesNotStarted(state: SyncState, requests: readonly CopyRequest[]): void {
  for (const r of requests) state.objects[r.object].state = 'syncing';
}

/**
 * Applies a progress report from the copy child. A finished copy puts the object back to syncing. A
 * failed one (the child reports only failures retrying cannot fix) leaves it `copy-failed` when
 * `holdFailedCopies`, so no cycle pulls it or copies it again until a resync; without the hold (runs
 * recorded before it existed) it goes back to syncing and the next cycle's plan copies it again.
 * Returns the notice to give, if any.
 */
export function applyCopyReport(
  state: SyncState,
  report: CopyReport,
  now: string,
  holdFailedCopies: boolean,
): string | undefined {
  const entry = state.initialCopy[report.object];
  if (!entry) return undefined;
  Object.assign(entry, report);
  if (!report.error && !report.done) return undefined;
  entry.finishedAt = now;
  const object = state.objects[report.object];
  if (!report.error) {
    if (object) object.state = 'syncing';
    return undefined;
  }
  if (!holdFailedCopies) {
    if (object) object.state = 'syncing';
    return `initial copy of ${report.object} failed: ${report.error}`;
  }
  entry.error = `${report.error}; ${HELD_UNTIL_RESYNC}`;
  if (object) object.state = 'copy-failed';
  return `initial copy of ${report.object} failed: ${entry.error}`;
}

/**
 * Whether the cycle pulls this object now: not while its copy runs or after its copy failed. Asked
 * as the cycle reaches each object, because a copy that finishes mid-cycle makes the object's pull
 * due in that same cycle.
 */
export function pullsNow(state: SyncState, object: string): boolean {
  return cyclesRun(state.objects[object]?.state);
}

/** What a cycle does with one two-way object after the pulls: push it, or record why it is skipped. */
export type PushDecision = { push: true } | { push: false; reason: string };

/**
 * Whether the cycle pushes this object now: only two-way objects not copying (undefined: nothing to
 * do, nothing to record). One whose pull failed this cycle is skipped with the reason, because
 * pushing on top of a failed pull would decide conflicts against stale Salesforce values.
 */
export function pushDecision(
  state: SyncState,
  object: SyncObject,
  attempted: ReadonlySet<string>,
  pulled: ReadonlySet<string>,
): PushDecision | undefined {
  if (object.direction !== 'two-way' || !cyclesRun(state.objects[object.name]?.state)) return undefined;
  // An object whose copy finished while this cycle pulled the others was never pulled: its push waits
  // for the next cycle, and nothing failed.
  if (!attempted.has(object.name)) return undefined;
  return pulled.has(object.name)
    ? { push: true }
    : { push: false, reason: `skipped: the pull of ${object.name} failed this cycle` };
}

function cyclesRun(state: ObjectState | undefined): boolean {
  return state !== 'copying' && state !== 'copy-failed';
}

/** The outcome of a call that returned `result`. */
export function succeeded(
  cycle: number,
  result: Partial<OperationResult> & { object?: string },
  finishedAt: string,
  durationMs: number,
): OperationOutcome {
  const { object: _object, ...fields } = result;
  return { ok: true, cycle, ...fields, finishedAt, durationMs };
}

/** The outcome of a call that failed (or was skipped) with `error`. */
export function failed(cycle: number, error: string, finishedAt: string, durationMs: number): OperationOutcome {
  return { ok: false, cycle, finishedAt, durationMs, error };
}

/** Records an outcome as the object's last pull or push. */
export function recordOutcome(
  state: SyncState,
  object: string,
  kind: 'lastPull' | 'lastPush',
  outcome: OperationOutcome,
): void {
  state.objects[object][kind] = outcome;
}

/** Opens a cycle: counts it and stamps its start. */
export function beginCycle(state: SyncState, now: string): void {
  state.cycle += 1;
  state.cycleStartedAt = now;
}

/** The coarse phase published as the TandemPhase search attribute. */
export function coarsePhase(state: SyncState): 'paused' | 'org-mismatch' | 'initial-copy' | 'syncing' {
  if (state.paused) return 'paused';
  if (state.orgMismatch) return 'org-mismatch';
  return Object.values(state.objects).some((o) => o.state === 'copying') ? 'initial-copy' : 'syncing';
}

/** True when the wait between cycles should end early: a syncNow, a resync or a pause arrived. */
export function waitEnds(state: SyncState, syncNowRequested: boolean): boolean {
  // Resyncs wait while the org is wrong: they would only meet the mismatch again at once.
  return syncNowRequested || (state.pendingResync.length > 0 && !state.orgMismatch) || state.paused;
}
