/**
 * Renders the `status` query as readable text for the `tandem` CLI. Pure: text in, text out.
 */
import { describeOrg } from '../sync/org-identity';
import type { CopyStatus, ObjectStatus, SyncStatus } from '../workflows/messages';

/** An activity Temporal has scheduled or running, as DescribeWorkflowExecution reports it (ISO times). */
export interface PendingActivity {
  workflowId: string;
  activityId: string;
  activityType: string;
  state: 'scheduled' | 'started' | 'cancel-requested' | 'paused' | 'pause-requested';
  attempt: number;
  /** 0 = unlimited. */
  maximumAttempts: number;
  scheduledAt?: string;
  startedAt?: string;
  lastHeartbeatAt?: string;
  /** The previous attempt's failure (a heartbeat timeout when its worker died). */
  lastFailure?: string;
  lastWorker?: string;
  nextAttemptAt?: string;
}

/** A started activity silent for longer than this is called out: its worker may be gone. */
const SILENT_AFTER_SECONDS = 30;

function secondsSince(iso: string | undefined, now: Date): number | undefined {
  return iso ? Math.max(0, (now.getTime() - Date.parse(iso)) / 1000) : undefined;
}

/** One pending activity in one line: type, attempt, since when, last heartbeat, last failure. */
export function formatPendingActivity(a: PendingActivity, now: Date): string {
  const parts = [
    `${a.activityType} (activity ${a.activityId}${a.workflowId.endsWith('/initial-copy') ? ' of the initial copy' : ''})`,
    a.state,
  ];
  parts.push(`attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}`);
  const started = secondsSince(a.startedAt, now);
  const scheduled = secondsSince(a.scheduledAt, now);
  if (a.state === 'started' && started !== undefined)
    parts.push(`started ${humanDuration(started)} ago${a.lastWorker ? ` on ${a.lastWorker}` : ''}`);
  else if (scheduled !== undefined) parts.push(`scheduled ${humanDuration(scheduled)} ago`);
  const beat = secondsSince(a.lastHeartbeatAt, now);
  if (beat !== undefined) parts.push(`last heartbeat ${humanDuration(beat)} ago`);
  const next = a.nextAttemptAt ? (Date.parse(a.nextAttemptAt) - now.getTime()) / 1000 : undefined;
  if (a.state === 'scheduled' && next !== undefined && next > 0) parts.push(`next attempt in ${humanDuration(next)}`);
  if (a.lastFailure) parts.push(`last failure: ${a.lastFailure}`);
  return parts.join(', ');
}

/** Why a pending activity deserves the operator's attention now, or undefined when it is just running. */
function pendingTrouble(a: PendingActivity, now: Date): string | undefined {
  const silent = a.state === 'started' ? secondsSince(a.lastHeartbeatAt ?? a.startedAt, now) : undefined;
  if (silent !== undefined && silent > SILENT_AFTER_SECONDS) {
    return `${a.activityType} silent for ${humanDuration(silent)} (no heartbeat; a dead worker's activity is retried after its heartbeat timeout)`;
  }
  if (a.attempt > 1) return `${a.activityType} attempt ${a.attempt}${a.lastFailure ? ` after: ${a.lastFailure}` : ''}`;
  return undefined;
}

/** Lays rows out in left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Rows per second and the estimated time left for a copy still running, when it can be estimated. */
export function copyEta(copy: CopyStatus, now: Date): { rate: number; etaSeconds: number | null } {
  const elapsed = (now.getTime() - Date.parse(copy.startedAt)) / 1000;
  const rate = elapsed > 0 ? copy.rowsCopied / elapsed : 0;
  if (copy.done || copy.totalRows === null || rate <= 0) return { rate, etaSeconds: null };
  return { rate, etaSeconds: Math.max(0, (copy.totalRows - copy.rowsCopied) / rate) };
}

/** `90` → `1m30s`. */
export function humanDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function pullCell(o: ObjectStatus): string {
  if (!o.lastPull) return '–';
  if (!o.lastPull.ok) return `FAILED: ${o.lastPull.error ?? ''}`;
  // rowsUnchanged reaches status once the workflow copies it from the PullResult.
  const unchanged = (o.lastPull as { rowsUnchanged?: number }).rowsUnchanged;
  // Records skipped because a value cannot be stored (`tandem errors` lists them as VALUE_NOT_STORABLE).
  const quarantined = (o.lastPull as { rowsQuarantined?: number }).rowsQuarantined;
  return `${o.lastPull.rowsPulled ?? 0} rows, ${o.lastPull.rowsDeleted ?? 0} deleted${unchanged ? `, ${unchanged} re-read unchanged` : ''}${quarantined ? `, ${quarantined} quarantined` : ''} (cycle ${o.lastPull.cycle})`;
}

function pushCell(o: ObjectStatus): string {
  if (o.direction !== 'two-way') return '';
  if (!o.lastPush) return '–';
  if (!o.lastPush.ok) return `FAILED: ${o.lastPush.error ?? ''}`;
  const p = o.lastPush;
  const oldest = p.oldestPendingSeconds ? ` (oldest ${humanDuration(p.oldestPendingSeconds)})` : '';
  const extras = [
    p.openErrors ? `${p.openErrors} open errors` : '',
    p.conflicts ? `${p.conflicts} conflicts` : '',
    p.deletesNotPropagated ? `${p.deletesNotPropagated} deletes kept local` : '',
    p.linked ? `${p.linked} linked to existing records` : '',
    p.interrupted ? `interrupted: ${p.interrupted}` : '',
  ].filter(Boolean);
  return `${p.rowsPushed ?? 0} pushed, ${p.rowsFailed ?? 0} failed, backlog ${p.backlog ?? 0}${oldest}${extras.length ? `, ${extras.join(', ')}` : ''}`;
}

/** The whole status as the `tandem status` command prints it. */
export function formatStatus(
  workflowId: string,
  status: SyncStatus,
  now = new Date(),
  pending: PendingActivity[] = [],
): string {
  const head = [
    `${workflowId}: ${status.paused ? 'PAUSED' : status.phase}, cycle ${status.cycle}` +
      (status.nextCycleAt && !status.paused ? `, next cycle ${status.nextCycleAt}` : ''),
  ];
  if (status.org) head.push(`Salesforce org ${describeOrg(status.org)}, bound ${status.org.boundAt}`);
  if (status.orgMismatch) head.push(`SYNC STOPPED since ${status.orgMismatch.since}: ${status.orgMismatch.message}`);
  if (status.apiUsage) {
    const share = status.apiUsage.limit ? Math.round((100 * status.apiUsage.used) / status.apiUsage.limit) : 0;
    head.push(
      `API usage ${status.apiUsage.used} / ${status.apiUsage.limit} (${share}%)${status.throttled ? ' — above budget, cycles slowed' : ''}`,
    );
  }
  const objects = table(
    ['OBJECT', 'DIRECTION', 'STATE', 'WATERMARK', 'LAST PULL', 'LAST PUSH'],
    Object.entries(status.objects).map(([name, o]) => [
      name,
      o.direction,
      o.state,
      o.lastPull?.watermark ?? '–',
      pullCell(o),
      pushCell(o),
    ]),
  );
  const sections = [head.join('\n'), objects];
  const copies = Object.values(status.initialCopy);
  if (copies.length > 0) {
    sections.push(
      'Initial copies:\n' +
        table(
          ['OBJECT', 'REASON', 'ROWS', 'RATE', 'ETA', 'STATE'],
          copies.map((c) => {
            const { rate, etaSeconds } = copyEta(c, now);
            const state = c.error ? `FAILED: ${c.error}` : c.done ? `done ${c.finishedAt ?? ''}` : 'copying';
            return [
              c.object,
              c.reason,
              `${c.rowsCopied}${c.totalRows !== null ? ` / ${c.totalRows}` : ''}`,
              c.done ? '' : `${Math.round(rate)}/s`,
              etaSeconds === null ? '' : humanDuration(etaSeconds),
              state,
            ];
          }),
        ),
    );
  }
  if (pending.length > 0)
    sections.push(`Activities in flight:\n${pending.map((a) => `  ${formatPendingActivity(a, now)}`).join('\n')}`);
  const openErrors = countOpenErrors(status);
  if (openErrors > 0)
    sections.push(`Open sync errors: ${openErrors} (records Salesforce refused; \`tandem errors\` lists them)`);
  if (status.pendingResync.length > 0) sections.push(`Resync pending: ${status.pendingResync.join(', ')}`);
  if (status.notices.length > 0) sections.push(`Notices:\n${status.notices.map((n) => `  ${n}`).join('\n')}`);
  return sections.join('\n\n');
}

/** Open sync errors over all objects, as their last pushes counted them. */
function countOpenErrors(status: SyncStatus): number {
  return Object.values(status.objects).reduce((sum, o) => sum + (o.lastPush?.ok ? (o.lastPush.openErrors ?? 0) : 0), 0);
}

/**
 * The one-line progress `npm start` prints: phase, copies with rows, rate and ETA (copies not started
 * yet as pending), failures, open sync errors, an activity retrying or silent, API usage.
 */
export function progressLine(status: SyncStatus, now: Date, pending: PendingActivity[] = []): string {
  if (status.orgMismatch) {
    const { bound, connected } = status.orgMismatch;
    return `cycle ${status.cycle} SYNC STOPPED · wrong Salesforce org: bound to ${describeOrg(bound)}, credentials reach ${describeOrg(connected)} · fix the credentials or run \`npx tandem rebind\``;
  }
  const unfinished = Object.values(status.initialCopy).filter((c) => !c.done && !c.finishedAt && !c.error);
  // A copy with no row yet is queued behind the one running (the child copies one object at a time).
  const queued = unfinished.filter((c) => c.rowsCopied === 0).map((c) => c.object);
  const copying = unfinished
    .filter((c) => c.rowsCopied > 0)
    .map((c) => {
      const { rate, etaSeconds } = copyEta(c, now);
      const total = c.totalRows !== null ? `/${c.totalRows}` : '';
      return `${c.object} ${c.rowsCopied}${total} rows, ${Math.round(rate)}/s${etaSeconds !== null ? `, ETA ${humanDuration(etaSeconds)}` : ''}`;
    })
    .join('; ');
  const failed = Object.entries(status.objects)
    .filter(([, o]) => o.lastPull && !o.lastPull.ok)
    .map(([name]) => name);
  const pulled = Object.values(status.objects).reduce(
    (sum, o) => sum + (o.lastPull?.cycle === status.cycle ? (o.lastPull.rowsPulled ?? 0) : 0),
    0,
  );
  const openErrors = countOpenErrors(status);
  const trouble = pending.map((a) => pendingTrouble(a, now)).filter(Boolean);
  return [
    `cycle ${status.cycle} ${status.paused ? 'paused' : status.phase}`,
    copying ? `copying ${copying}` : unfinished.length === 0 ? 'initial copy complete' : '',
    queued.length ? `copy pending: ${queued.join(', ')}` : '',
    `pulled ${pulled} rows this cycle`,
    failed.length ? `failing: ${failed.join(', ')}` : '',
    openErrors ? `${openErrors} open sync errors (tandem errors)` : '',
    ...trouble,
    status.apiUsage ? `API ${status.apiUsage.used}/${status.apiUsage.limit}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}
