/**
 * Renders sync errors, conflicts and one record's story as text for the `tandem` CLI. Pure.
 */
import type { ConflictRow, RecordStory, SyncErrorRow } from '../db/story';

function when(date: Date | string | null | undefined): string {
  return date
    ? new Date(date)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '—';
}

function value(v: unknown): string {
  return v === null || v === undefined ? '∅' : JSON.stringify(v);
}

/** Sync errors, three lines each. */
export function formatSyncErrors(errors: SyncErrorRow[], all: boolean): string {
  if (errors.length === 0) return all ? 'No sync errors.' : 'No open sync errors.';
  return errors
    .map((e) => {
      const state = e.resolvedAt ? `resolved ${when(e.resolvedAt)} (${e.resolution ?? ''})` : 'OPEN';
      return [
        `${e.object} row ${e.rowId}${e.sfid ? ` ${e.sfid}` : ''} — ${e.operation} — ${state}`,
        `  ${e.code}: ${e.message}${e.fields.length > 0 ? ` [${e.fields.join(', ')}]` : ''}`,
        `  first seen ${when(e.firstSeen)}, last seen ${when(e.lastSeen)}, ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`,
      ].join('\n');
    })
    .join('\n');
}

/** One line per conflict: field, the three values, the winner and the rule that chose it. */
export function formatConflict(
  c: Pick<ConflictRow, 'field' | 'base' | 'marketing' | 'salesforce' | 'winner' | 'rule' | 'loggedAt'>,
): string {
  return `${when(c.loggedAt)} ${c.field}: base ${value(c.base)}, marketing ${value(c.marketing)}, Salesforce ${value(c.salesforce)} → ${c.winner} (${c.rule})`;
}

/** The conflict log, grouped by record. */
export function formatConflicts(conflicts: ConflictRow[]): string {
  if (conflicts.length === 0) return 'No conflicts logged.';
  return conflicts
    .map((c) => `${c.object} row ${c.rowId}${c.sfid ? ` ${c.sfid}` : ''}: ${formatConflict(c)}`)
    .join('\n');
}

/** Everything Tandem knows about one record. */
export function formatStory(s: RecordStory): string {
  const lines = [
    `${s.object} row ${s.rowId}${s.sfid ? `, Salesforce id ${s.sfid}` : ', not in Salesforce yet'}${s.row ? '' : ' (deleted locally)'}`,
    `  last pulled ${when(s.lastPulledAt)}; last pushed ${when(s.lastPushedAt)}`,
  ];
  if (s.row?._tandem_error) lines.push(`  marked with error: ${String(s.row._tandem_error)}`);
  if (s.row?._tandem_linked_to) lines.push(`  linked to ${String(s.row._tandem_linked_to)}: its edits go there`);
  if (s.row?.isconverted === true)
    lines.push(`  converted into contact ${String(s.row.convertedcontactid)}: its edits go there`);
  if (s.row?.masterrecordid) lines.push(`  merged into ${String(s.row.masterrecordid)}`);
  lines.push(`Outbox (${s.outbox.length}):`);
  for (const o of s.outbox) {
    const fields = Object.entries(o.changed ?? {})
      .map(([k, v]) => `${k}=${value(v)}`)
      .join(', ');
    lines.push(
      `  #${o.id} ${when(o.capturedAt)} ${o.operation.padEnd(6)} ${o.status.padEnd(10)} attempts ${o.attempts}${o.doneAt ? `, done ${when(o.doneAt)}` : ''}`,
    );
    if (fields) lines.push(`      ${fields}`);
    if (o.note) lines.push(`      note: ${o.note}`);
    if (o.lastError) lines.push(`      last error: ${o.lastError}`);
  }
  lines.push(`Sync errors (${s.errors.length}):`, s.errors.length ? formatSyncErrors(s.errors, true) : '  none');
  lines.push(`Conflicts (${s.conflicts.length}):`, ...s.conflicts.map((c) => `  ${formatConflict(c)}`));
  if (s.lastObjectPush)
    lines.push(`Latest push of ${s.object}: ${when(s.lastObjectPush.at)} ${JSON.stringify(s.lastObjectPush.result)}`);
  return lines.join('\n');
}
