/**
 * The perpetual sync: run a cycle (pull every object in dependency order, then push the two-way
 * ones), wait out the pause or a `syncNow`, repeat; continue-as-new when the history grows, carrying
 * the state. Watermarks are not workflow state: they live in PostgreSQL next to the rows they cover.
 * Full copies run in the initial-copy child, which outlives this workflow's runs (ABANDON).
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  metricMeter,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { SyncActivities } from '../activities';
import { TANDEM_ORG, TANDEM_PHASE, initialCopyWorkflowId, syncObjectsFor, type CopyReason, type CyclePlan, type SyncObject } from '../shared';
import { describeOrg } from '../sync/org-identity';
import { cycleOptions, planningOptions } from './activity-options';
import { initialCopyWorkflow } from './initial-copy';
import {
  copyObjectsSignal,
  copyPausedSignal,
  copyProgressSignal,
  pauseSignal,
  resumeSignal,
  resyncSignal,
  resyncUpdate,
  statusQuery,
  syncNowSignal,
  type OperationOutcome,
  type ResyncRequest,
  type SyncStatus,
} from './messages';

/** Input of `continuousSyncWorkflow`. Every field is optional: `-i '{}'` starts it on the defaults. */
export interface ContinuousSyncInput {
  /** Objects and directions, in dependency order. Default: the standard set plus `customObjects`. */
  objects?: SyncObject[];
  /** Custom objects synced from Salesforce, appended to the default set when `objects` is absent. */
  customObjects?: string[];
  /** Pause between cycles. Default 5 minutes. */
  pauseBetweenCycles?: Duration;
  /** Pause used while API usage is above the budget share. Default 30 minutes. */
  throttledPauseBetweenCycles?: Duration;
  /** Continue-as-new after this many cycles even if the server has not suggested it. Default 24. */
  maxCyclesPerRun?: number;
  /** Initial-copy pages per activity call. Default 20. */
  copyPagesPerActivity?: number;
  /**
   * Heartbeat timeout of the cycle and copy activities (default in activity-options.ts): how soon an
   * activity on a worker that died is retried elsewhere. Chaos tests shorten it.
   */
  activityHeartbeatTimeout?: Duration;
  /** State carried across continue-as-new; absent on a first start. */
  carried?: CarriedState;
}

/** What one run hands the next at continue-as-new. */
export interface CarriedState {
  status: Omit<SyncStatus, 'phase'>;
  syncNowRequested: boolean;
}

const DEFAULT_PAUSE: Duration = '5 minutes';
const DEFAULT_THROTTLED_PAUSE: Duration = '30 minutes';
const DEFAULT_MAX_CYCLES_PER_RUN = 24;
const DEFAULT_COPY_PAGES_PER_ACTIVITY = 20;
/** Notices kept for the operator; older ones drop off so the state stays small. */
const MAX_NOTICES = 20;

const planning = proxyActivities<SyncActivities>({ ...planningOptions, summary: 'plan the cycle' });


/** The cycle activities with a summary naming the step, shown on each activity in the Web UI. */
function cycleStep(summary: string, heartbeatTimeout?: Duration): SyncActivities {
  return proxyActivities<SyncActivities>({ ...cycleOptions, ...(heartbeatTimeout ? { heartbeatTimeout } : {}), summary });
}

/** The cycle's outcome in Markdown, for the Web UI's "current details". */
function cycleDetails(status: Omit<SyncStatus, 'phase'>): string {
  const rows = Object.entries(status.objects).map(([name, o]) => {
    const pull = o.lastPull ? (o.lastPull.ok ? `${o.lastPull.rowsPulled ?? 0} pulled, ${o.lastPull.rowsDeleted ?? 0} deleted` : `failed: ${o.lastPull.error}`) : '–';
    const push = o.lastPush
      ? o.lastPush.ok
        ? `${o.lastPush.rowsPushed ?? 0} pushed, ${o.lastPush.rowsFailed ?? 0} failed${o.lastPush.openErrors ? `, ${o.lastPush.openErrors} open errors` : ''}${o.lastPush.backlog ? `, backlog ${o.lastPush.backlog}` : ''}`
        : `${o.lastPush.error}`
      : '–';
    return `| ${name} | ${o.direction} | ${o.state} | ${pull} | ${push} |`;
  });
  const usage = status.apiUsage ? `API ${status.apiUsage.used}/${status.apiUsage.limit}${status.throttled ? ' (slowed)' : ''}` : '';
  const org = status.org ? `Salesforce org ${describeOrg(status.org)}` : '';
  if (status.orgMismatch) {
    return [`**Sync stopped — wrong Salesforce org** (since ${status.orgMismatch.since})`, '', status.orgMismatch.message].join('\n');
  }
  return [
    ...(org ? [org, ''] : []),
    `**Cycle ${status.cycle}** started ${status.cycleStartedAt ?? '–'}; next ${status.paused ? 'after resume' : (status.nextCycleAt ?? '–')}. ${usage}`,
    '',
    '| Object | Direction | State | Last pull | Last push |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * Checks a resync request against the synced objects. Returns the objects to copy (all when none
 * are named) or throws an ApplicationFailure naming the unknown ones.
 */
export function validateResync(request: ResyncRequest | undefined, known: readonly string[]): string[] {
  const requested = request?.objects ?? [];
  if (!Array.isArray(requested) || requested.some((o) => typeof o !== 'string')) {
    throw ApplicationFailure.nonRetryable('resync: "objects" must be a list of Salesforce object names', 'InvalidRequest');
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

function freshStatus(objects: SyncObject[]): Omit<SyncStatus, 'phase'> {
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
function reconcile(status: Omit<SyncStatus, 'phase'>, objects: SyncObject[]): void {
  const names = new Set(objects.map((o) => o.name));
  for (const name of Object.keys(status.objects)) if (!names.has(name)) delete status.objects[name];
  for (const o of objects) {
    const existing = status.objects[o.name];
    if (existing) existing.direction = o.direction;
    else status.objects[o.name] = { direction: o.direction, state: 'syncing' };
  }
  status.pendingResync = status.pendingResync.filter((o) => names.has(o));
}

function errorMessage(error: unknown): string {
  // An activity's failure arrives wrapped in an ActivityFailure whose cause carries the real message.
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The perpetual sync workflow (see the module comment). Never returns: it continues as new. */
export async function continuousSyncWorkflow(input: ContinuousSyncInput = {}): Promise<void> {
  const objects = input.objects ?? syncObjectsFor(input.customObjects);
  const names = objects.map((o) => o.name);
  const status = input.carried?.status ?? freshStatus(objects);
  reconcile(status, objects);
  let phase: SyncStatus['phase'] = status.paused ? 'paused' : 'planning';
  let syncNowRequested = input.carried?.syncNowRequested ?? false;
  const selfId = workflowInfo().workflowId;
  const childId = initialCopyWorkflowId(selfId);
  // Phase search attributes only where the starter set TandemOrg: that proves the namespace has them
  // registered (upserting an unregistered attribute would fail the workflow task).
  const org = workflowInfo().typedSearchAttributes.get(TANDEM_ORG);
  let publishedPhase = workflowInfo().typedSearchAttributes.get(TANDEM_PHASE);
  const publishPhase = (): void => {
    const coarse = status.paused ? 'paused' : status.orgMismatch ? 'org-mismatch' : Object.values(status.objects).some((o) => o.state === 'copying') ? 'initial-copy' : 'syncing';
    if (org === undefined || coarse === publishedPhase) return;
    upsertSearchAttributes([{ key: TANDEM_PHASE, value: coarse }]);
    publishedPhase = coarse;
  };

  const notice = (message: string): void => {
    log.warn(message);
    status.notices.push(`${new Date().toISOString()} ${message}`);
    if (status.notices.length > MAX_NOTICES) status.notices.splice(0, status.notices.length - MAX_NOTICES);
  };
  const queueResync = (accepted: string[]): void => {
    for (const o of accepted) if (!status.pendingResync.includes(o)) status.pendingResync.push(o);
  };
  const copying = (object: string): boolean => status.objects[object]?.state === 'copying';
  const forwardPause = async (paused: boolean): Promise<void> => {
    if (!names.some(copying)) return;
    try {
      await getExternalWorkflowHandle(childId).signal(copyPausedSignal, paused);
    } catch (error) {
      notice(`could not ${paused ? 'pause' : 'resume'} the initial copy: ${errorMessage(error)}`);
    }
  };

  setHandler(statusQuery, (): SyncStatus => ({ ...status, phase }));
  setHandler(syncNowSignal, () => {
    syncNowRequested = true;
  });
  setHandler(pauseSignal, async () => {
    status.paused = true;
    await forwardPause(true);
  });
  setHandler(resumeSignal, async () => {
    status.paused = false;
    await forwardPause(false);
  });
  setHandler(resyncSignal, (request) => {
    try {
      queueResync(validateResync(request, names));
    } catch (error) {
      // A signal cannot be answered, so a bad request is refused in `status` and the log, never by failing the workflow.
      notice(`refused ${errorMessage(error)}`);
    }
  });
  setHandler(
    resyncUpdate,
    (request) => {
      const accepted = validateResync(request, names);
      queueResync(accepted);
      return accepted;
    },
    { validator: (request) => void validateResync(request, names) },
  );
  setHandler(copyProgressSignal, (report) => {
    const entry = status.initialCopy[report.object];
    if (!entry) return;
    Object.assign(entry, report);
    if (report.error) {
      // The copy failed permanently; the next cycle's plan asks for it again, so it is retried then.
      entry.finishedAt = new Date().toISOString();
      if (status.objects[report.object]) status.objects[report.object].state = 'syncing';
      notice(`initial copy of ${report.object} failed: ${report.error}`);
    } else if (report.done) {
      entry.finishedAt = new Date().toISOString();
      if (status.objects[report.object]) status.objects[report.object].state = 'syncing';
    }
  });

  /** Starts the initial-copy child for these objects, or hands them to the one already running. */
  const startCopies = async (requests: { object: string; reason: CopyReason }[]): Promise<void> => {
    const now = new Date().toISOString();
    for (const { object, reason } of requests) {
      status.objects[object].state = 'copying';
      status.initialCopy[object] = { object, reason, done: false, rowsCopied: 0, totalRows: null, pagesCopied: 0, startedAt: now };
    }
    try {
      await startChild(initialCopyWorkflow, {
        workflowId: childId,
        // The copy outlives this run: continue-as-new closes the run, and the default TERMINATE would kill it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ parentWorkflowId: selfId, queue: requests, pagesPerActivity: input.copyPagesPerActivity ?? DEFAULT_COPY_PAGES_PER_ACTIVITY, paused: status.paused, ...(input.activityHeartbeatTimeout ? { heartbeatTimeout: input.activityHeartbeatTimeout } : {}) }],
        staticSummary: `Initial copy for ${selfId}`,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      // A child started by an earlier run is still copying: queue the objects on it.
      await getExternalWorkflowHandle(childId).signal(copyObjectsSignal, requests);
    }
  };

  /** Checks that the child is alive while copies are outstanding; restarts what a dead child left. */
  const probeCopies = async (): Promise<void> => {
    const outstanding = names.filter(copying);
    if (outstanding.length === 0) return;
    try {
      await getExternalWorkflowHandle(childId).signal(copyObjectsSignal, []);
    } catch {
      notice(`initial copy workflow ${childId} is gone; restarting the copy of ${outstanding.join(', ')}`);
      await startCopies(outstanding.map((object) => ({ object, reason: status.initialCopy[object]?.reason ?? 'never-copied' })));
    }
  };

  const record = async (
    object: string,
    kind: 'lastPull' | 'lastPush',
    run: () => Promise<Partial<OperationOutcome>>,
  ): Promise<boolean> => {
    const started = Date.now();
    let outcome: OperationOutcome;
    try {
      outcome = { ok: true, cycle: status.cycle, finishedAt: '', durationMs: 0, ...(await run()) };
    } catch (error) {
      outcome = { ok: false, cycle: status.cycle, finishedAt: '', durationMs: 0, error: errorMessage(error) };
    }
    outcome.finishedAt = new Date().toISOString();
    outcome.durationMs = Date.now() - started;
    status.objects[object][kind] = outcome;
    return outcome.ok;
  };

  const runCycle = async (): Promise<void> => {
    status.cycle += 1;
    status.cycleStartedAt = new Date().toISOString();
    syncNowRequested = false;
    phase = 'planning';

    let plan: CyclePlan = { needsCopy: [] };
    try {
      plan = await planning.planCycle({ objects: names });
    } catch (error) {
      notice(`cycle ${status.cycle}: planning failed, copies wait for the next cycle: ${errorMessage(error)}`);
    }
    if (plan.orgMismatch) {
      // Another org behind the credentials: touch nothing, say so, and check again next cycle.
      if (!status.orgMismatch) notice(`sync stopped: ${plan.orgMismatch.message}`);
      status.orgMismatch = { ...plan.orgMismatch, since: status.orgMismatch?.since ?? new Date().toISOString() };
      return;
    }
    if (status.orgMismatch) {
      notice(`sync resumed: connected to the bound org ${plan.org?.orgId ?? status.orgMismatch.bound.orgId} again`);
      status.orgMismatch = undefined;
    }
    status.org = plan.org ?? status.org;
    status.apiUsage = plan.apiUsage ?? status.apiUsage;
    if (plan.throttled && !status.throttled) {
      const usage = plan.apiUsage ? ` (${plan.apiUsage.used}/${plan.apiUsage.limit})` : '';
      notice(`API usage is above the budget${usage}: cycles slowed to every ${input.throttledPauseBetweenCycles ?? DEFAULT_THROTTLED_PAUSE}`);
    }
    status.throttled = plan.throttled ?? false;

    const requests = [
      ...status.pendingResync.map((object) => ({ object, reason: 'resync-requested' as CopyReason })),
      ...plan.needsCopy.filter((n) => names.includes(n.object) && !status.pendingResync.includes(n.object)),
    ];
    status.pendingResync = [];
    // A resync of an object already copying restarts it (the child handles that); others start fresh.
    const toStart = requests.filter((r) => !copying(r.object) || r.reason === 'resync-requested');
    await probeCopies();
    if (toStart.length > 0) {
      try {
        await startCopies(toStart);
      } catch (error) {
        notice(`could not start the initial copy of ${toStart.map((r) => r.object).join(', ')}: ${errorMessage(error)}`);
        for (const r of toStart) status.objects[r.object].state = 'syncing';
      }
    }

    phase = 'pulling';
    const pulled = new Set<string>();
    for (const { name } of objects) {
      if (copying(name)) continue;
      const ok = await record(name, 'lastPull', async () => {
        const r = await cycleStep(`pull ${name}`, input.activityHeartbeatTimeout).pullChanges({ object: name, cycle: status.cycle });
        return { rowsPulled: r.rowsPulled, rowsDeleted: r.rowsDeleted, watermark: r.watermark };
      });
      if (ok) pulled.add(name);
    }

    phase = 'pushing';
    for (const { name, direction } of objects) {
      if (direction !== 'two-way' || copying(name)) continue;
      if (!pulled.has(name)) {
        // Pushing on top of a failed pull would decide conflicts against stale Salesforce values.
        status.objects[name].lastPush = {
          ok: false, cycle: status.cycle, finishedAt: new Date().toISOString(), durationMs: 0,
          error: `skipped: the pull of ${name} failed this cycle`,
        };
        continue;
      }
      await record(name, 'lastPush', async () => {
        const r = await cycleStep(`push ${name}`, input.activityHeartbeatTimeout).pushChanges({ object: name, cycle: status.cycle });
        return {
          rowsPushed: r.rowsPushed, rowsFailed: r.rowsFailed, backlog: r.backlog, oldestPendingSeconds: r.oldestPendingSeconds,
          conflicts: r.conflicts, openErrors: r.openErrors, deletesNotPropagated: r.deletesNotPropagated, linked: r.linked, interrupted: r.interrupted,
        };
      });
    }
  };

  const pause = (): Duration =>
    status.throttled ? (input.throttledPauseBetweenCycles ?? DEFAULT_THROTTLED_PAUSE) : (input.pauseBetweenCycles ?? DEFAULT_PAUSE);
  const continueAsNewDue = (cyclesThisRun: number): boolean =>
    workflowInfo().continueAsNewSuggested || cyclesThisRun >= (input.maxCyclesPerRun ?? DEFAULT_MAX_CYCLES_PER_RUN);

  // Cycle wall time, exported with the Temporal runtime's metrics (metrics emit no history events).
  const cycleDuration = metricMeter.createHistogram('tandem_cycle_duration', 'int', 'ms', 'Wall time of one sync cycle, planning to last push');
  let cyclesThisRun = 0;
  for (;;) {
    if (status.paused) {
      phase = 'paused';
      status.nextCycleAt = undefined;
      publishPhase();
      setCurrentDetails(cycleDetails(status));
      await condition(() => !status.paused || workflowInfo().continueAsNewSuggested);
    } else {
      const cycleStarted = Date.now();
      await runCycle();
      cycleDuration.record(Date.now() - cycleStarted, { workflow_id: selfId });
      cyclesThisRun += 1;
      phase = status.orgMismatch ? 'org-mismatch' : 'waiting';
      const pauseFor = pause();
      status.nextCycleAt = new Date(Date.now() + msToNumber(pauseFor)).toISOString();
      publishPhase();
      setCurrentDetails(cycleDetails(status));
      // Resyncs wait while the org is wrong: they would only meet the mismatch again at once.
      await condition(() => syncNowRequested || (status.pendingResync.length > 0 && !status.orgMismatch) || status.paused, pauseFor);
    }
    const due = status.paused ? workflowInfo().continueAsNewSuggested : continueAsNewDue(cyclesThisRun);
    if (!due) continue;
    // Let signal and update handlers finish so nothing they changed is lost, then carry the state over.
    await condition(allHandlersFinished);
    await continueAsNew<typeof continuousSyncWorkflow>({ ...input, carried: { status, syncNowRequested } });
  }
}
