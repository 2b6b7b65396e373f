/**
 * The perpetual sync: run a cycle (pull every object in dependency order, then push the two-way
 * ones), wait out the pause or a `syncNow`, repeat; continue-as-new when the history grows, carrying
 * the state. Watermarks are not workflow state: they live in PostgreSQL next to the rows they cover.
 * Full copies run in the initial-copy child, which outlives this workflow's runs (ABANDON).
 */
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  metricMeter,
  patched,
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
import {
  TANDEM_ORG,
  TANDEM_ORG_ID,
  TANDEM_PHASE,
  initialCopyWorkflowId,
  syncObjectsFor,
  type CyclePlan,
  type SyncObject,
} from '../shared';
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
  type SyncStatus,
} from './messages';
import { failureMessage } from './failure-message';
import { cycleDetails } from './status-details';
import {
  addNotice,
  applyCopyReport,
  applyOrgCheck,
  applyPlan,
  beginCycle,
  coarsePhase,
  copyingObjects,
  failed,
  freshState,
  markCopiesNotStarted,
  markCopiesStarted,
  pullsNow,
  pushDecision,
  queueResync,
  reconcile,
  recordOutcome,
  succeeded,
  takeCopyRequests,
  validateResync,
  waitEnds,
  type CopyRequest,
  type SyncState,
} from './sync-state';

export { validateResync } from './sync-state';

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
  status: SyncState;
  syncNowRequested: boolean;
}

const DEFAULT_PAUSE: Duration = '5 minutes';
const DEFAULT_THROTTLED_PAUSE: Duration = '30 minutes';
const DEFAULT_MAX_CYCLES_PER_RUN = 24;
const DEFAULT_COPY_PAGES_PER_ACTIVITY = 20;
/**
 * Patch id of "a copy that failed permanently holds its object until a resync" (before it, the next
 * cycle copied the object again): runs recorded earlier replay the old way
 * (https://docs.temporal.io/develop/typescript/versioning#patching).
 */
const HOLD_FAILED_COPIES_PATCH = 'hold-failed-copies';
/** Patch id of "a copy's progress report publishes the TandemPhase it changes at once". */
const PUBLISH_PHASE_ON_COPY_PATCH = 'publish-phase-on-copy-progress';

const planning = proxyActivities<SyncActivities>({ ...planningOptions, summary: 'plan the cycle' });

/** The cycle activities with a summary naming the step, shown on each activity in the Web UI. */
function cycleStep(summary: string, heartbeatTimeout?: Duration): SyncActivities {
  return proxyActivities<SyncActivities>({
    ...cycleOptions,
    ...(heartbeatTimeout ? { heartbeatTimeout } : {}),
    summary,
  });
}

function now(): string {
  return new Date().toISOString();
}

/** The perpetual sync workflow (see the module comment). Never returns: it continues as new. */
export async function continuousSyncWorkflow(input: ContinuousSyncInput = {}): Promise<void> {
  const objects = input.objects ?? syncObjectsFor(input.customObjects);
  const names = objects.map((o) => o.name);
  const status = input.carried?.status ?? freshState(objects);
  reconcile(status, objects);
  const run = {
    phase: (status.paused ? 'paused' : 'planning') as SyncStatus['phase'],
    syncNowRequested: input.carried?.syncNowRequested ?? false,
  };
  const childId = initialCopyWorkflowId(workflowInfo().workflowId);
  const copies = new CopyChild(input, status, childId);

  const phasePublisher = new PhasePublisher();
  setHandler(statusQuery, (): SyncStatus => ({ ...status, phase: run.phase }));
  setHandler(syncNowSignal, () => {
    run.syncNowRequested = true;
  });
  setHandler(pauseSignal, async () => {
    status.paused = true;
    await copies.forwardPause(true, names);
  });
  setHandler(resumeSignal, async () => {
    status.paused = false;
    await copies.forwardPause(false, names);
  });
  setHandler(resyncSignal, (request) => {
    try {
      queueResync(status, validateResync(request, names));
    } catch (error) {
      // A signal cannot be answered, so a bad request is refused in `status` and the log, never by failing the workflow.
      notice(status, `refused ${failureMessage(error)}`);
    }
  });
  setHandler(
    resyncUpdate,
    (request) => {
      const accepted = validateResync(request, names);
      queueResync(status, accepted);
      return accepted;
    },
    { validator: (request) => void validateResync(request, names) },
  );
  setHandler(copyProgressSignal, (report) => {
    const hold =
      report.error !== undefined &&
      status.initialCopy[report.object] !== undefined &&
      patched(HOLD_FAILED_COPIES_PATCH);
    const message = applyCopyReport(status, report, now(), hold);
    if (message) notice(status, message);
    // The last copy finishing moves TandemPhase to syncing now, not at the end of the next pause.
    if (phasePublisher.wouldChange(status) && patched(PUBLISH_PHASE_ON_COPY_PATCH)) phasePublisher.publish(status);
  });
  // Cycle wall time, exported with the Temporal runtime's metrics (metrics emit no history events).
  const cycleDuration = metricMeter.createHistogram(
    'tandem_cycle_duration',
    'int',
    'ms',
    'Wall time of one sync cycle, planning to last push',
  );
  let cyclesThisRun = 0;
  for (;;) {
    if (status.paused) {
      run.phase = 'paused';
      status.nextCycleAt = undefined;
      phasePublisher.publish(status);
      setCurrentDetails(cycleDetails(status));
      await condition(() => !status.paused || workflowInfo().continueAsNewSuggested);
    } else {
      const cycleStarted = Date.now();
      await runCycle(input, objects, status, run, copies);
      cycleDuration.record(Date.now() - cycleStarted, { workflow_id: workflowInfo().workflowId });
      cyclesThisRun += 1;
      run.phase = status.orgMismatch ? 'org-mismatch' : 'waiting';
      const pauseFor = pauseBetweenCycles(input, status);
      status.nextCycleAt = new Date(Date.now() + msToNumber(pauseFor)).toISOString();
      phasePublisher.publish(status);
      setCurrentDetails(cycleDetails(status));
      await condition(() => waitEnds(status, run.syncNowRequested), pauseFor);
    }
    const due = status.paused ? workflowInfo().continueAsNewSuggested : continueAsNewDue(input, cyclesThisRun);
    if (!due) continue;
    // Let signal and update handlers finish so nothing they changed is lost, then carry the state over.
    await condition(allHandlersFinished);
    await continueAsNew<typeof continuousSyncWorkflow>({
      ...input,
      carried: { status, syncNowRequested: run.syncNowRequested },
    });
  }
}

/** What only the running loop knows: the phase, and whether a syncNow is waiting. */
interface RunFlags {
  phase: SyncStatus['phase'];
  syncNowRequested: boolean;
}

/** One cycle: plan, start the copies it asks for, pull every object in order, then push the two-way ones. */
async function runCycle(
  input: ContinuousSyncInput,
  objects: readonly SyncObject[],
  status: SyncState,
  run: RunFlags,
  copies: CopyChild,
): Promise<void> {
  const names = objects.map((o) => o.name);
  beginCycle(status, now());
  run.syncNowRequested = false;
  run.phase = 'planning';

  let plan: CyclePlan = { needsCopy: [] };
  try {
    plan = await planning.planCycle({ objects: names });
  } catch (error) {
    notice(status, `cycle ${status.cycle}: planning failed, copies wait for the next cycle: ${failureMessage(error)}`);
  }
  const org = applyOrgCheck(status, plan, now());
  if (org.notice) notice(status, org.notice);
  if (!org.proceed) return;
  const throttledNotice = applyPlan(status, plan, String(input.throttledPauseBetweenCycles ?? DEFAULT_THROTTLED_PAUSE));
  if (throttledNotice) notice(status, throttledNotice);

  const { toStart } = takeCopyRequests(status, plan, names);
  await copies.probe(names);
  if (toStart.length > 0) {
    try {
      await copies.start(toStart);
    } catch (error) {
      notice(
        status,
        `could not start the initial copy of ${toStart.map((r) => r.object).join(', ')}: ${failureMessage(error)}`,
      );
      markCopiesNotStarted(status, toStart);
    }
  }

  run.phase = 'pulling';
  const attempted = new Set<string>();
  const pulled = new Set<string>();
  for (const { name } of objects) {
    if (!pullsNow(status, name)) continue;
    attempted.add(name);
    const ok = await recordCall(status, name, 'lastPull', () =>
      cycleStep(`pull ${name}`, input.activityHeartbeatTimeout).pullChanges({ object: name, cycle: status.cycle }),
    );
    if (ok) pulled.add(name);
  }

  run.phase = 'pushing';
  for (const object of objects) {
    const name = object.name;
    const decision = pushDecision(status, object, attempted, pulled);
    if (!decision) continue;
    if (!decision.push) {
      recordOutcome(status, name, 'lastPush', failed(status.cycle, decision.reason, now(), 0));
      continue;
    }
    await recordCall(status, name, 'lastPush', () =>
      cycleStep(`push ${name}`, input.activityHeartbeatTimeout).pushChanges({ object: name, cycle: status.cycle }),
    );
  }
}

/** Runs one pull or push and records its outcome, with its duration, as the object's last one. Returns whether it succeeded. */
async function recordCall(
  status: SyncState,
  object: string,
  kind: 'lastPull' | 'lastPush',
  call: () => Promise<Parameters<typeof succeeded>[1]>,
): Promise<boolean> {
  const started = Date.now();
  let outcome: OperationOutcome;
  try {
    const result = await call();
    outcome = succeeded(status.cycle, result, now(), Date.now() - started);
  } catch (error) {
    outcome = failed(status.cycle, failureMessage(error), now(), Date.now() - started);
  }
  recordOutcome(status, object, kind, outcome);
  return outcome.ok;
}

/** Logs a notice and keeps it in `status`. */
function notice(status: SyncState, message: string): void {
  log.warn(message);
  addNotice(status, message, now());
}

function pauseBetweenCycles(input: ContinuousSyncInput, status: SyncState): Duration {
  return status.throttled
    ? (input.throttledPauseBetweenCycles ?? DEFAULT_THROTTLED_PAUSE)
    : (input.pauseBetweenCycles ?? DEFAULT_PAUSE);
}

function continueAsNewDue(input: ContinuousSyncInput, cyclesThisRun: number): boolean {
  return (
    workflowInfo().continueAsNewSuggested || cyclesThisRun >= (input.maxCyclesPerRun ?? DEFAULT_MAX_CYCLES_PER_RUN)
  );
}

/**
 * Publishes the coarse phase as the TandemPhase search attribute when it changes — only where the
 * starter set TandemOrg: that proves the namespace has the attributes registered (upserting an
 * unregistered attribute fails the workflow task).
 */
class PhasePublisher {
  private readonly org = workflowInfo().typedSearchAttributes.get(TANDEM_ORG);
  private published = workflowInfo().typedSearchAttributes.get(TANDEM_PHASE);
  // TandemOrgId follows the bound org (a `tandem rebind` changes it) only where the starter set it.
  private publishedOrgId = workflowInfo().typedSearchAttributes.get(TANDEM_ORG_ID);

  /** True when `publish` would upsert the phase now. */
  wouldChange(status: SyncState): boolean {
    return this.org !== undefined && coarsePhase(status) !== this.published;
  }

  publish(status: SyncState): void {
    const phase = coarsePhase(status);
    if (this.org !== undefined && phase !== this.published) {
      upsertSearchAttributes([{ key: TANDEM_PHASE, value: phase }]);
      this.published = phase;
    }
    const orgId = status.org?.orgId;
    if (this.publishedOrgId !== undefined && orgId !== undefined && orgId !== this.publishedOrgId) {
      upsertSearchAttributes([{ key: TANDEM_ORG_ID, value: orgId }]);
      this.publishedOrgId = orgId;
    }
  }
}

/** The initial-copy child as the parent drives it: start it, hand it objects, probe it, pause it. */
class CopyChild {
  constructor(
    private readonly input: ContinuousSyncInput,
    private readonly status: SyncState,
    private readonly childId: string,
  ) {}

  /** Starts the child for these objects, or hands them to the one already running. */
  async start(requests: CopyRequest[]): Promise<void> {
    const selfId = workflowInfo().workflowId;
    markCopiesStarted(this.status, requests, now());
    try {
      await startChild(initialCopyWorkflow, {
        workflowId: this.childId,
        // The copy outlives this run: continue-as-new closes the run, and the default TERMINATE would kill it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [
          {
            parentWorkflowId: selfId,
            queue: requests,
            pagesPerActivity: this.input.copyPagesPerActivity ?? DEFAULT_COPY_PAGES_PER_ACTIVITY,
            paused: this.status.paused,
            ...(this.input.activityHeartbeatTimeout ? { heartbeatTimeout: this.input.activityHeartbeatTimeout } : {}),
          },
        ],
        staticSummary: `Initial copy for ${selfId}`,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      // A child started by an earlier run is still copying: queue the objects on it.
      await getExternalWorkflowHandle(this.childId).signal(copyObjectsSignal, requests);
    }
  }

  /** Checks that the child is alive while copies are outstanding; restarts what a dead child left. */
  async probe(names: readonly string[]): Promise<void> {
    const outstanding = copyingObjects(this.status, names);
    if (outstanding.length === 0) return;
    try {
      await getExternalWorkflowHandle(this.childId).signal(copyObjectsSignal, []);
    } catch {
      notice(
        this.status,
        `initial copy workflow ${this.childId} is gone; restarting the copy of ${outstanding.join(', ')}`,
      );
      await this.start(
        outstanding.map((object) => ({ object, reason: this.status.initialCopy[object]?.reason ?? 'never-copied' })),
      );
    }
  }

  /** Passes a pause or resume on to the child while it copies. */
  async forwardPause(paused: boolean, names: readonly string[]): Promise<void> {
    if (copyingObjects(this.status, names).length === 0) return;
    try {
      await getExternalWorkflowHandle(this.childId).signal(copyPausedSignal, paused);
    } catch (error) {
      notice(this.status, `could not ${paused ? 'pause' : 'resume'} the initial copy: ${failureMessage(error)}`);
    }
  }
}
