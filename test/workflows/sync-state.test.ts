import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { SyncObject } from '../../src/shared';
import {
  HELD_UNTIL_RESYNC,
  MAX_NOTICES,
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
} from '../../src/workflows/sync-state';

const OBJECTS: SyncObject[] = [
  { name: 'Account', direction: 'from-salesforce' },
  { name: 'Contact', direction: 'two-way' },
  { name: 'Lead', direction: 'two-way' },
];
const NAMES = OBJECTS.map((o) => o.name);
const NOW = '2026-12-01T10:00:00.000Z';
const LATER = '2026-12-01T10:05:00.000Z';

describe('sync state: start and carried state', () => {
  it('starts with every object syncing and nothing run', () => {
    expect(freshState(OBJECTS)).toEqual({
      cycle: 0,
      paused: false,
      objects: {
        Account: { direction: 'from-salesforce', state: 'syncing' },
        Contact: { direction: 'two-way', state: 'syncing' },
        Lead: { direction: 'two-way', state: 'syncing' },
      },
      initialCopy: {},
      pendingResync: [],
      throttled: false,
      notices: [],
    });
  });

  it('reconciles carried state with the configured objects: removes, adds, updates directions and drops stale resyncs', () => {
    const state = freshState(OBJECTS);
    state.objects.Lead.lastPull = succeeded(3, { rowsPulled: 1 }, NOW, 5);
    state.pendingResync = ['Account', 'Lead'];
    reconcile(state, [
      { name: 'Lead', direction: 'from-salesforce' },
      { name: 'Subscription__c', direction: 'from-salesforce' },
    ]);
    expect(Object.keys(state.objects)).toEqual(['Lead', 'Subscription__c']);
    expect(state.objects.Lead).toMatchObject({ direction: 'from-salesforce', lastPull: { rowsPulled: 1 } });
    expect(state.objects.Subscription__c).toEqual({ direction: 'from-salesforce', state: 'syncing' });
    expect(state.pendingResync).toEqual(['Lead']);
  });

  it('keeps only the newest notices, stamped', () => {
    const state = freshState(OBJECTS);
    for (let n = 1; n <= MAX_NOTICES + 3; n++) addNotice(state, `notice ${n}`, NOW);
    expect(state.notices).toHaveLength(MAX_NOTICES);
    expect(state.notices[0]).toBe(`${NOW} notice 4`);
    expect(state.notices.at(-1)).toBe(`${NOW} notice ${MAX_NOTICES + 3}`);
  });
});

describe('sync state: resync requests', () => {
  it('accepts known objects once each, and all objects when none are named', () => {
    expect(validateResync({ objects: ['Lead', 'Lead'] }, NAMES)).toEqual(['Lead']);
    expect(validateResync({}, NAMES)).toEqual(NAMES);
    expect(validateResync(undefined, NAMES)).toEqual(NAMES);
  });

  it('refuses unknown objects and malformed requests with a non-retryable failure naming them', () => {
    expect(() => validateResync({ objects: ['Leed', 'Lead', 'Acount'] }, NAMES)).toThrow(
      /unknown objects Leed, Acount; synced objects are Account, Contact, Lead/,
    );
    const refusal = (() => {
      try {
        validateResync({ objects: 'Lead' as unknown as string[] }, NAMES);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect((refusal as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('queues each resync once, and a queued resync ends the wait between cycles', () => {
    const state = freshState(OBJECTS);
    expect(waitEnds(state, false)).toBe(false);
    queueResync(state, ['Lead']);
    queueResync(state, ['Lead', 'Contact']);
    expect(state.pendingResync).toEqual(['Lead', 'Contact']);
    expect(waitEnds(state, false)).toBe(true);
  });

  it('ends the wait on syncNow and on pause', () => {
    const state = freshState(OBJECTS);
    expect(waitEnds(state, true)).toBe(true);
    state.paused = true;
    expect(waitEnds(state, false)).toBe(true);
  });
});

describe('sync state: planning and copies', () => {
  it('notices throttling once, when cycles first slow down, and keeps the last known usage', () => {
    const state = freshState(OBJECTS);
    expect(
      applyPlan(state, { needsCopy: [], apiUsage: { used: 900, limit: 1000 }, throttled: true }, '30 minutes'),
    ).toBe('API usage is above the budget (900/1000): cycles slowed to every 30 minutes');
    expect(state.throttled).toBe(true);
    expect(applyPlan(state, { needsCopy: [], throttled: true }, '30 minutes')).toBeUndefined();
    expect(state.apiUsage).toEqual({ used: 900, limit: 1000 });
    expect(applyPlan(state, { needsCopy: [] }, '30 minutes')).toBeUndefined();
    expect(state.throttled).toBe(false);
  });

  it('asks for pending resyncs first, then what planning found, and clears the pending resyncs', () => {
    const state = freshState(OBJECTS);
    state.pendingResync = ['Lead'];
    const { requests, toStart } = takeCopyRequests(
      state,
      {
        needsCopy: [
          { object: 'Lead', reason: 'never-copied' },
          { object: 'Account', reason: 'watermark-too-old' },
          { object: 'Gone__c', reason: 'never-copied' },
        ],
      },
      NAMES,
    );
    expect(requests).toEqual([
      { object: 'Lead', reason: 'resync-requested' },
      { object: 'Account', reason: 'watermark-too-old' },
    ]);
    expect(toStart).toEqual(requests);
    expect(state.pendingResync).toEqual([]);
  });

  it('does not restart a copy already running unless a resync asks for it', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(
      state,
      [
        { object: 'Account', reason: 'never-copied' },
        { object: 'Lead', reason: 'never-copied' },
      ],
      NOW,
    );
    state.pendingResync = ['Lead'];
    const { toStart } = takeCopyRequests(state, { needsCopy: [{ object: 'Account', reason: 'never-copied' }] }, NAMES);
    expect(toStart).toEqual([{ object: 'Lead', reason: 'resync-requested' }]);
  });

  it('marks started copies copying with fresh progress, and puts them back when the start failed', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Lead', reason: 'schema-changed' }], NOW);
    expect(state.objects.Lead.state).toBe('copying');
    expect(state.initialCopy.Lead).toEqual({
      object: 'Lead',
      reason: 'schema-changed',
      done: false,
      rowsCopied: 0,
      totalRows: null,
      pagesCopied: 0,
      startedAt: NOW,
    });
    expect(copyingObjects(state, NAMES)).toEqual(['Lead']);
    expect(coarsePhase(state)).toBe('initial-copy');
    markCopiesNotStarted(state, [{ object: 'Lead', reason: 'schema-changed' }]);
    expect(state.objects.Lead.state).toBe('syncing');
    expect(coarsePhase(state)).toBe('syncing');
  });

  it('records copy progress, and a finished copy puts the object back to syncing', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Lead', reason: 'never-copied' }], NOW);
    expect(
      applyCopyReport(
        state,
        { object: 'Lead', done: false, rowsCopied: 200, totalRows: 600, pagesCopied: 2 },
        LATER,
        true,
      ),
    ).toBeUndefined();
    expect(state.initialCopy.Lead).toMatchObject({ rowsCopied: 200, done: false });
    expect(state.initialCopy.Lead.finishedAt).toBeUndefined();
    expect(state.objects.Lead.state).toBe('copying');
    applyCopyReport(
      state,
      { object: 'Lead', done: true, rowsCopied: 600, totalRows: 600, pagesCopied: 6 },
      LATER,
      true,
    );
    expect(state.initialCopy.Lead).toMatchObject({ done: true, finishedAt: LATER });
    expect(state.objects.Lead.state).toBe('syncing');
  });

  it('ignores a report for a copy it did not start', () => {
    const state = freshState(OBJECTS);
    expect(
      applyCopyReport(state, { object: 'Lead', done: true, rowsCopied: 1, totalRows: 1, pagesCopied: 1 }, LATER, true),
    ).toBeUndefined();
    expect(state.initialCopy).toEqual({});
  });

  it('holds an object whose copy failed permanently until a resync: no pull, no push, no new copy', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Lead', reason: 'never-copied' }], NOW);
    const message = applyCopyReport(
      state,
      {
        object: 'Lead',
        done: false,
        rowsCopied: 0,
        totalRows: null,
        pagesCopied: 0,
        error: 'Lead: copyObjectPages failed: RangeError: Invalid count value: -1',
      },
      LATER,
      true,
    );
    expect(state.objects.Lead.state).toBe('copy-failed');
    expect(state.initialCopy.Lead.error).toBe(
      `Lead: copyObjectPages failed: RangeError: Invalid count value: -1; ${HELD_UNTIL_RESYNC}`,
    );
    expect(state.initialCopy.Lead.finishedAt).toBe(LATER);
    expect(message).toMatch(/initial copy of Lead failed: .*RangeError.*not retried until a resync/);
    expect(pullsNow(state, 'Lead')).toBe(false);
    expect(pushDecision(state, OBJECTS[2], new Set(), new Set())).toBeUndefined();
    expect(coarsePhase(state)).toBe('syncing');

    const plan = { needsCopy: [{ object: 'Lead', reason: 'never-copied' as const }] };
    expect(takeCopyRequests(state, plan, NAMES).toStart).toEqual([]);
    queueResync(state, ['Lead']);
    expect(takeCopyRequests(state, plan, NAMES).toStart).toEqual([{ object: 'Lead', reason: 'resync-requested' }]);
  });

  it('without the hold (runs recorded before it), a failed copy goes back to syncing and is copied again', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Lead', reason: 'never-copied' }], NOW);
    const message = applyCopyReport(
      state,
      { object: 'Lead', done: false, rowsCopied: 0, totalRows: null, pagesCopied: 0, error: 'bad credentials' },
      LATER,
      false,
    );
    expect(message).toBe('initial copy of Lead failed: bad credentials');
    expect(state.objects.Lead.state).toBe('syncing');
    expect(
      takeCopyRequests(state, { needsCopy: [{ object: 'Lead', reason: 'never-copied' }] }, NAMES).toStart,
    ).toHaveLength(1);
  });
});

describe('sync state: pulls, pushes and outcomes', () => {
  it('pulls every object not copying', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Contact', reason: 'never-copied' }], NOW);
    expect(NAMES.filter((name) => pullsNow(state, name))).toEqual(['Account', 'Lead']);
  });

  it('pushes two-way objects that pulled, skips with the reason those whose pull failed, and ignores the rest', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Contact', reason: 'never-copied' }], NOW);
    const decisions = OBJECTS.map((o) => pushDecision(state, o, new Set(['Account', 'Lead']), new Set(['Account'])));
    expect(decisions).toEqual([
      undefined,
      undefined,
      { push: false, reason: 'skipped: the pull of Lead failed this cycle' },
    ]);
    expect(pushDecision(state, OBJECTS[2], new Set(['Lead']), new Set(['Lead']))).toEqual({ push: true });
  });

  it('does not report a failed pull for an object whose copy finished while the cycle pulled the others', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Contact', reason: 'resync-requested' }], NOW);
    const attempted = new Set(NAMES.filter((name) => pullsNow(state, name)));
    applyCopyReport(state, { object: 'Contact', done: true, rowsCopied: 3, totalRows: 3, pagesCopied: 1 }, LATER, true);
    expect(pushDecision(state, OBJECTS[1], attempted, attempted)).toBeUndefined();
  });

  it('records every field an activity reports, but not the object name the status is keyed by', () => {
    const state = freshState(OBJECTS);
    beginCycle(state, NOW);
    const outcome = succeeded(
      state.cycle,
      { object: 'Lead', rowsPushed: 3, rowsFailed: 1, backlog: 0, apiCalls: 2, redirected: 1, conflicts: 0 },
      LATER,
      40,
    );
    recordOutcome(state, 'Lead', 'lastPush', outcome);
    expect(state.objects.Lead.lastPush).toEqual({
      ok: true,
      cycle: 1,
      rowsPushed: 3,
      rowsFailed: 1,
      backlog: 0,
      apiCalls: 2,
      redirected: 1,
      conflicts: 0,
      finishedAt: LATER,
      durationMs: 40,
    });
    recordOutcome(state, 'Lead', 'lastPull', failed(state.cycle, 'Lead: queryAll failed: boom', LATER, 7));
    expect(state.objects.Lead.lastPull).toEqual({
      ok: false,
      cycle: 1,
      error: 'Lead: queryAll failed: boom',
      finishedAt: LATER,
      durationMs: 7,
    });
  });

  it('counts cycles and stamps their start', () => {
    const state = freshState(OBJECTS);
    beginCycle(state, NOW);
    beginCycle(state, LATER);
    expect(state).toMatchObject({ cycle: 2, cycleStartedAt: LATER });
  });

  it('publishes paused before anything else', () => {
    const state = freshState(OBJECTS);
    markCopiesStarted(state, [{ object: 'Lead', reason: 'never-copied' }], NOW);
    state.paused = true;
    expect(coarsePhase(state)).toBe('paused');
  });
});

describe('sync state: org identity', () => {
  const bound = {
    orgId: '00D5g000000AbCdEAF',
    name: 'Acme',
    instanceUrl: 'https://acme.my.salesforce.com',
    boundAt: '2026-12-01T00:00:00.000Z',
  };
  const other = { orgId: '00D5g000000ZzZzEAA', name: null, instanceUrl: 'https://acme.my.salesforce.com' };
  const mismatch = { bound, connected: other, message: 'schema "salesforce" belongs to org 00D5g000000AbCdEAF …' };

  it('stops the cycle on a mismatch, says so once, keeps when it began, and holds resyncs until it ends', () => {
    const state = freshState([{ name: 'Lead', direction: 'two-way' }]);
    expect(applyOrgCheck(state, { needsCopy: [], org: bound }, 't0')).toEqual({ proceed: true });
    expect(state.org).toEqual(bound);
    const first = applyOrgCheck(state, { needsCopy: [], orgMismatch: mismatch }, 't1');
    expect(first).toEqual({ proceed: false, notice: `sync stopped: ${mismatch.message}` });
    expect(applyOrgCheck(state, { needsCopy: [], orgMismatch: mismatch }, 't2')).toEqual({ proceed: false });
    expect(state.orgMismatch?.since).toBe('t1');
    expect(coarsePhase(state)).toBe('org-mismatch');
    queueResync(state, ['Lead']);
    expect(waitEnds(state, false)).toBe(false);
    expect(waitEnds(state, true)).toBe(true);
    const resumed = applyOrgCheck(state, { needsCopy: [], org: bound }, 't3');
    expect(resumed).toEqual({ proceed: true, notice: `sync resumed: connected to the bound org ${bound.orgId} again` });
    expect(state.orgMismatch).toBeUndefined();
    expect(coarsePhase(state)).toBe('syncing');
    expect(waitEnds(state, false)).toBe(true);
  });
});
