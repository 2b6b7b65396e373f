/**
 * The pull's guard of marketing-side changes still pending: inside every pull or copy transaction of a
 * two-way object, rows with open outbox entries are merged field by field with what Salesforce sent
 * (the three-way merge, src/sync/merge.ts) instead of being overwritten, and every same-field conflict
 * is logged in `tandem.conflict_log`.
 */
import type pg from 'pg';
import { logConflicts } from '../db/conflict-log';
import {
  buryResurrectedRows,
  dropColumns,
  hasDeleteCapturedSince,
  openEntriesOf,
  rowsWithOpenChanges,
  type OutboxEntry,
} from '../db/outbox';
import { readShadow, saveShadow } from '../db/shadow';
import { readObjectStates } from '../db/state';
import { resolveSyncError } from '../db/sync-errors';
import { readRows, rowsWrittenThisTransaction, writeColumns } from '../db/table-rows';
import type { ObjectDefinition } from '../objects';
import { mergeRow } from '../sync/merge';
import { mergePlan } from '../sync/merge-plan';
import type { ColumnSpec } from '../sync/type-mapping';
import type { ActivityContext } from './context';

/** Per column, when its latest open change was captured. */
export function pendingColumns(entries: readonly OutboxEntry[]): Map<string, Date> {
  const pending = new Map<string, Date>();
  for (const entry of entries) {
    if (entry.operation === 'delete') continue;
    for (const column of Object.keys(entry.changed)) {
      const at = pending.get(column);
      if (!at || entry.capturedAt > at) pending.set(column, entry.capturedAt);
    }
  }
  return pending;
}

/**
 * The oldest marketing-side delete a pull could still undo, or null when there is none: a pull re-reads
 * records stamped at or after its watermark minus the overlap, so a delete captured before that point
 * can only come back through a newer Salesforce change — which legitimately brings the record back
 * (Marketo: a person deleted only on the marketing side returns when Salesforce changes it).
 */
async function tombstoneHorizon(ctx: ActivityContext, tx: pg.PoolClient, def: ObjectDefinition): Promise<Date | null> {
  const state = (await readObjectStates(tx, [def.name])).get(def.name);
  const horizon = state?.watermark
    ? new Date(state.watermark.getTime() - ctx.config.sync.overlapWindowSeconds * 1000)
    : new Date(0);
  return (await hasDeleteCapturedSince(tx, def.name, horizon)) ? horizon : null;
}

/** What a pull transaction must do after writing a page of a two-way object. */
export interface PendingGuard {
  /** Merges the rows the page overwrote; returns the number of conflicts logged. */
  reconcile(): Promise<number>;
}

/**
 * Call inside the pull's transaction before it writes rows of `def`: remembers the rows with pending
 * marketing-side changes as they are now. `reconcile()` after the write merges each of them that the
 * write touched. Returns null when nothing is pending (or the object syncs from Salesforce only).
 */
export async function guardPendingChanges(
  ctx: ActivityContext,
  tx: pg.PoolClient,
  def: ObjectDefinition,
  target: { schema: string; table: string; columns: readonly ColumnSpec[] },
): Promise<PendingGuard | null> {
  if (def.direction !== 'two-way') return null;
  const ids = await rowsWithOpenChanges(tx, def.name);
  const before = await readRows(tx, target.schema, target.table, ids);
  for (const [id, row] of before) if (row.sfid === null) before.delete(id); // not in Salesforce yet: a pull cannot touch it
  const tombstonesSince = await tombstoneHorizon(ctx, tx, def);
  if (before.size === 0 && tombstonesSince === null) return null;
  return {
    async reconcile() {
      if (tombstonesSince) await buryResurrectedRows(tx, target.schema, target.table, def.name, tombstonesSince);
      if (before.size === 0) return 0;
      const touched = await rowsWrittenThisTransaction(tx, target.schema, target.table, [...before.keys()]);
      if (touched.length === 0) return 0;
      const plan = mergePlan(def, target.columns, ctx.config.sync.conflictRules[def.name]);
      const after = await readRows(tx, target.schema, target.table, touched);
      const entries = await openEntriesOf(tx, def.name, touched);
      const shadow = await readShadow(tx, def.name, touched);
      let conflicts = 0;
      for (const id of touched) {
        const marketing = before.get(id)!;
        const salesforce = after.get(id);
        if (!salesforce) continue;
        const mine = entries.filter((e) => e.rowId === id);
        const pending = pendingColumns(mine);
        const base = shadow.get(id) ?? {};
        const modified = salesforce.lastmodifieddate ?? salesforce.systemmodstamp;
        const result = mergeRow({
          columns: plan.columns,
          pending,
          base,
          marketing,
          salesforce,
          salesforceChangedAt: typeof modified === 'string' ? new Date(modified) : null,
          rule: plan.rule,
        });
        await writeColumns(tx, target.schema, target.table, id, result.keep);
        const sfWon = result.conflicts.filter((c) => c.winner === 'salesforce').map((c) => c.column);
        const agreed = result.resolved.filter((c) => !sfWon.includes(c));
        await dropColumns(tx, def.name, id, agreed, 'Salesforce already has these values');
        await dropColumns(tx, def.name, id, sfWon, 'Salesforce won the conflict (see tandem.conflict_log)');
        const stillPending = [...pending.keys()].filter((c) => !result.resolved.includes(c));
        const nextBase: Record<string, unknown> = {};
        for (const c of stillPending) nextBase[c] = c in result.base ? result.base[c] : (base[c] ?? null);
        await saveShadow(tx, def.name, id, nextBase);
        if (stillPending.length === 0 && !mine.some((e) => e.operation === 'insert')) {
          await resolveSyncError(
            tx,
            target.schema,
            target.table,
            def.name,
            id,
            'superseded: Salesforce has the values now',
          );
        }
        await logConflicts(
          tx,
          result.conflicts.map((c) => ({
            object: def.name,
            rowId: id,
            sfid: String(salesforce.sfid),
            field: c.field,
            base: c.base,
            marketing: c.marketing,
            salesforce: c.salesforce,
            winner: c.winner,
            rule: c.rule,
            marketingChangedAt: c.marketingChangedAt,
            salesforceChangedAt: c.salesforceChangedAt,
          })),
        );
        conflicts += result.conflicts.length;
      }
      return conflicts;
    },
  };
}
