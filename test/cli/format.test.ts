import { describe, expect, it } from 'vitest';
import { copyEta, formatStatus, humanDuration, progressLine, type PendingActivity } from '../../src/cli/format';
import type { SyncStatus } from '../../src/workflows/messages';

const status: SyncStatus = {
  phase: 'waiting',
  cycle: 7,
  paused: false,
  nextCycleAt: '2026-11-30T10:05:00.000Z',
  objects: {
    Lead: {
      direction: 'two-way',
      state: 'syncing',
      lastPull: {
        ok: true,
        cycle: 7,
        finishedAt: '',
        durationMs: 10,
        rowsPulled: 12,
        rowsDeleted: 1,
        watermark: '2026-11-30T09:55:00.000Z',
      },
      lastPush: {
        ok: true,
        cycle: 7,
        finishedAt: '',
        durationMs: 10,
        rowsPushed: 3,
        rowsFailed: 1,
        backlog: 4,
        oldestPendingSeconds: 90,
        openErrors: 2,
        conflicts: 1,
      },
    },
    Account: { direction: 'from-salesforce', state: 'copying' },
    Task: {
      direction: 'from-salesforce',
      state: 'syncing',
      lastPull: { ok: false, cycle: 7, finishedAt: '', durationMs: 5, error: 'INVALID_FIELD: No such column' },
    },
  },
  initialCopy: {
    Account: {
      object: 'Account',
      reason: 'resync-requested',
      done: false,
      rowsCopied: 3000,
      totalRows: 9000,
      pagesCopied: 3,
      startedAt: '2026-11-30T10:00:00.000Z',
    },
  },
  pendingResync: ['Contact'],
  apiUsage: { used: 850, limit: 1000 },
  throttled: true,
  notices: ['2026-11-30T10:00:00.000Z refused resync: unknown object Leed'],
};

describe('formatStatus', () => {
  it('renders objects, copies with rate and ETA, API usage, pending resyncs and notices', () => {
    const text = formatStatus('tandem-sync', status, new Date('2026-11-30T10:01:00.000Z'));
    expect(text.split('\n')[0]).toBe('tandem-sync: waiting, cycle 7, next cycle 2026-11-30T10:05:00.000Z');
    expect(text).toContain('API usage 850 / 1000 (85%) — above budget, cycles slowed');
    expect(text).toMatch(
      /Lead\s+two-way\s+syncing\s+2026-11-30T09:55:00.000Z\s+12 rows, 1 deleted \(cycle 7\)\s+3 pushed, 1 failed, backlog 4 \(oldest 1m30s\), 2 open errors, 1 conflicts/,
    );
    expect(text).toMatch(/Task\s+from-salesforce\s+syncing\s+–\s+FAILED: INVALID_FIELD: No such column/);
    expect(text).toMatch(/Account\s+resync-requested\s+3000 \/ 9000\s+50\/s\s+2m00s\s+copying/);
    expect(text).toContain('Resync pending: Contact');
    expect(text).toContain('refused resync: unknown object Leed');
  });

  it('estimates nothing for a finished copy or an unknown total', () => {
    const base = status.initialCopy.Account;
    expect(copyEta({ ...base, done: true }, new Date('2026-11-30T10:01:00.000Z')).etaSeconds).toBeNull();
    expect(copyEta({ ...base, totalRows: null }, new Date('2026-11-30T10:01:00.000Z')).etaSeconds).toBeNull();
    expect(humanDuration(7200 + 5 * 60)).toBe('2h05m');
  });
});

describe('progressLine', () => {
  it('shows the phase, each running copy with rows, rate and ETA, failures and API usage on one line', () => {
    expect(progressLine(status, new Date('2026-11-30T10:01:00.000Z'))).toBe(
      'cycle 7 waiting · copying Account 3000/9000 rows, 50/s, ETA 2m00s · pulled 12 rows this cycle · failing: Task · 2 open sync errors (tandem errors) · API 850/1000',
    );
    const done = { ...status, initialCopy: {}, objects: { Lead: status.objects.Lead } };
    expect(progressLine(done, new Date())).toBe(
      'cycle 7 waiting · initial copy complete · pulled 12 rows this cycle · 2 open sync errors (tandem errors) · API 850/1000',
    );
  });

  it('shows a finished copy as done, not copying, and a copy not started yet as pending', () => {
    const initialCopy = {
      Campaign: {
        object: 'Campaign',
        reason: 'never-copied' as const,
        done: true,
        rowsCopied: 200,
        totalRows: 200,
        pagesCopied: 1,
        startedAt: '2026-11-30T10:00:00.000Z',
      },
      Task: {
        object: 'Task',
        reason: 'never-copied' as const,
        done: false,
        rowsCopied: 0,
        totalRows: null,
        pagesCopied: 0,
        startedAt: '2026-11-30T10:00:00.000Z',
      },
    };
    const line = progressLine(
      { ...status, initialCopy, objects: { Account: status.objects.Account } },
      new Date('2026-11-30T10:01:00.000Z'),
    );
    expect(line).toBe('cycle 7 waiting · copy pending: Task · pulled 0 rows this cycle · API 850/1000');
  });

  it('says why the cycle is stuck: an activity silent since its worker died, or retrying after a failure', () => {
    const now = new Date('2026-11-30T10:02:00.000Z');
    const silent: PendingActivity = {
      workflowId: 'tandem-sync',
      activityId: '14',
      activityType: 'pushChanges',
      state: 'started',
      attempt: 1,
      maximumAttempts: 5,
      scheduledAt: '2026-11-30T10:00:00.000Z',
      startedAt: '2026-11-30T10:00:00.000Z',
      lastHeartbeatAt: '2026-11-30T10:00:30.000Z',
      lastWorker: '123@host',
    };
    const retrying: PendingActivity = {
      ...silent,
      activityId: '15',
      activityType: 'pullChanges',
      state: 'scheduled',
      attempt: 2,
      lastHeartbeatAt: undefined,
      lastFailure: 'activity Heartbeat timeout',
      nextAttemptAt: '2026-11-30T10:02:05.000Z',
    };
    const done = {
      ...status,
      phase: 'pushing' as const,
      initialCopy: {},
      objects: { Account: { ...status.objects.Account, state: 'syncing' as const } },
    };
    expect(progressLine(done, now, [silent])).toBe(
      "cycle 7 pushing · initial copy complete · pulled 0 rows this cycle · pushChanges silent for 1m30s (no heartbeat; a dead worker's activity is retried after its heartbeat timeout) · API 850/1000",
    );
    expect(progressLine(done, now, [retrying])).toContain('pullChanges attempt 2 after: activity Heartbeat timeout');
    const text = formatStatus('tandem-sync', done, now, [silent, retrying]);
    expect(text).toContain(
      'Activities in flight:\n  pushChanges (activity 14), started, attempt 1/5, started 2m00s ago on 123@host, last heartbeat 1m30s ago',
    );
    expect(text).toContain(
      '  pullChanges (activity 15), scheduled, attempt 2/5, scheduled 2m00s ago, next attempt in 5s, last failure: activity Heartbeat timeout',
    );
  });

  it('tells rows changed from rows re-read unchanged in the last pull', () => {
    const lead = { ...status.objects.Lead, lastPull: { ...status.objects.Lead.lastPull!, rowsUnchanged: 455 } };
    expect(formatStatus('tandem-sync', { ...status, objects: { Lead: lead } })).toMatch(
      /12 rows, 1 deleted, 455 re-read unchanged \(cycle 7\)/,
    );
  });

  it('counts open sync errors in status', () => {
    expect(formatStatus('tandem-sync', status, new Date('2026-11-30T10:01:00.000Z'))).toContain(
      'Open sync errors: 2 (records Salesforce refused; `tandem errors` lists them)',
    );
  });
});
