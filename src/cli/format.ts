/**
 * Renders the `status` query as readable text for the `tandem` CLI. Pure: text in, text out.
 */
import { describeOrg } from '../sync/org-identity';
import type { CopyStatus, ObjectStatus, SyncStatus } from '../workflows/messages';

/** Lays rows out in left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
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
  return `${o.lastPull.rowsPulled ?? 0} rows, ${o.lastPull.rowsDeleted ?? 0} deleted (cycle ${o.lastPull.cycle})`;
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
export function formatStatus(workflowId: string, status: SyncStatus, now = new Date()): string {
  const head = [
    `${workflowId}: ${status.paused ? 'PAUSED' : status.phase}, cycle ${status.cycle}` +
      (status.nextCycleAt && !status.paused ? `, next cycle ${status.nextCycleAt}` : ''),
  ];
  if (status.org) head.push(`Salesforce org ${describeOrg(status.org)}, bound ${status.org.boundAt}`);
  if (status.orgMismatch) head.push(`SYNC STOPPED since ${status.orgMismatch.since}: ${status.orgMismatch.message}`);
  if (status.apiUsage) {
    const share = status.apiUsage.limit ? Math.round((100 * status.apiUsage.used) / status.apiUsage.limit) : 0;
    head.push(`API usage ${status.apiUsage.used} / ${status.apiUsage.limit} (${share}%)${status.throttled ? ' — above budget, cycles slowed' : ''}`);
  }
  const objects = table(
    ['OBJECT', 'DIRECTION', 'STATE', 'WATERMARK', 'LAST PULL', 'LAST PUSH'],
    Object.entries(status.objects).map(([name, o]) => [name, o.direction, o.state, o.lastPull?.watermark ?? '–', pullCell(o), pushCell(o)]),
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
            return [c.object, c.reason, `${c.rowsCopied}${c.totalRows !== null ? ` / ${c.totalRows}` : ''}`, c.done ? '' : `${Math.round(rate)}/s`, etaSeconds === null ? '' : humanDuration(etaSeconds), state];
          }),
        ),
    );
  }
  if (status.pendingResync.length > 0) sections.push(`Resync pending: ${status.pendingResync.join(', ')}`);
  if (status.notices.length > 0) sections.push(`Notices:\n${status.notices.map((n) => `  ${n}`).join('\n')}`);
  return sections.join('\n\n');
}

/** The one-line progress `npm start` prints: phase, copies with rows, rate and ETA, failures, API usage. */
export function progressLine(status: SyncStatus, now: Date): string {
  if (status.orgMismatch) {
    const { bound, connected } = status.orgMismatch;
    return `cycle ${status.cycle} SYNC STOPPED · wrong Salesforce org: bound to ${describeOrg(bound)}, credentials reach ${describeOrg(connected)} · fix the credentials or run \`npx tandem rebind\``;
  }
  const copies = Object.values(status.initialCopy).filter((c) => !c.finishedAt);
  const copying = copies
    .map((c) => {
      const { rate, etaSeconds } = copyEta(c, now);
      const total = c.totalRows !== null ? `/${c.totalRows}` : '';
      return `${c.object} ${c.rowsCopied}${total} rows, ${Math.round(rate)}/s${etaSeconds !== null ? `, ETA ${humanDuration(etaSeconds)}` : ''}`;
    })
    .join('; ');
  const failed = Object.entries(status.objects)
    .filter(([, o]) => o.lastPull && !o.lastPull.ok)
    .map(([name]) => name);
  const pulled = Object.values(status.objects).reduce((sum, o) => sum + (o.lastPull?.cycle === status.cycle ? (o.lastPull.rowsPulled ?? 0) : 0), 0);
  return [
    `cycle ${status.cycle} ${status.phase}`,
    copying ? `copying ${copying}` : 'initial copy complete',
    `pulled ${pulled} rows this cycle`,
    failed.length ? `failing: ${failed.join(', ')}` : '',
    status.apiUsage ? `API ${status.apiUsage.used}/${status.apiUsage.limit}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}
