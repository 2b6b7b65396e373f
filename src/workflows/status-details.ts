/**
 * The continuous sync's status as Markdown for the Web UI's "current details" panel
 * (https://docs.temporal.io/develop/typescript/observability#current-details — set with setCurrentDetails).
 */
import { describeOrg } from '../sync/org-identity';
import type { OperationOutcome } from './messages';
import type { SyncState } from './sync-state';

/** The cycle's outcome: one table row per object, its last pull and push. */
export function cycleDetails(state: SyncState): string {
  const rows = Object.entries(state.objects).map(
    ([name, o]) => `| ${name} | ${o.direction} | ${o.state} | ${pullCell(o.lastPull)} | ${pushCell(o.lastPush)} |`,
  );
  const usage = state.apiUsage
    ? `API ${state.apiUsage.used}/${state.apiUsage.limit}${state.throttled ? ' (slowed)' : ''}`
    : '';
  if (state.orgMismatch) {
    return [
      `**Sync stopped — wrong Salesforce org** (since ${state.orgMismatch.since})`,
      '',
      state.orgMismatch.message,
    ].join('\n');
  }
  const errors = Object.entries(state.objects)
    .filter(([, o]) => o.lastPush?.ok && (o.lastPush.openErrors ?? 0) > 0)
    .map(([name, o]) => `${name} ${o.lastPush!.openErrors}`);
  return [
    ...(state.org ? [`Salesforce org ${describeOrg(state.org)}`, ''] : []),
    ...(errors.length
      ? [
          `**Open sync errors:** ${errors.join(', ')} — records Salesforce refused; list them with \`npx tandem errors\``,
          '',
        ]
      : []),
    `**Cycle ${state.cycle}** started ${state.cycleStartedAt ?? '–'}; next ${state.paused ? 'after resume' : (state.nextCycleAt ?? '–')}. ${usage}`,
    '',
    '| Object | Direction | State | Last pull | Last push |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function pullCell(pull: OperationOutcome | undefined): string {
  if (!pull) return '–';
  if (!pull.ok) return `failed: ${pull.error}`;
  const reread = pull.rowsUnchanged ? `, ${pull.rowsUnchanged} re-read unchanged` : '';
  return `${pull.rowsPulled ?? 0} pulled, ${pull.rowsDeleted ?? 0} deleted${reread}`;
}

function pushCell(push: OperationOutcome | undefined): string {
  if (!push) return '–';
  if (!push.ok) return `${push.error}`;
  const openErrors = push.openErrors ? `, ${push.openErrors} open errors` : '';
  const backlog = push.backlog ? `, backlog ${push.backlog}` : '';
  return `${push.rowsPushed ?? 0} pushed, ${push.rowsFailed ?? 0} failed${openErrors}${backlog}`;
}
