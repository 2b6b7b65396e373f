/**
 * The push side's hooks into the pull: after every describe the data table gets its triggers (change
 * capture or the read-only guard, src/db/outbox.ts) and, once lead and contact both exist, the
 * `person` view; inside every pull or copy transaction of a two-way object, rows with marketing-side
 * changes still pending are merged field by field with what Salesforce sent (src/sync/merge.ts)
 * instead of being overwritten, and every same-field conflict is logged.
 */
import type pg from 'pg';
import {
  captureSpec,
  dropColumns,
  ensurePersonView,
  installTableGuards,
  logConflicts,
  openEntriesOf,
  readRows,
  readShadow,
  resolveSyncError,
  rowsWithOpenChanges,
  saveShadow,
  vanishedFields,
  writeColumns,
  type OutboxEntry,
} from '../db/outbox';
import { qualifiedName, quoteIdentifier } from '../db/identifiers';
import { readObjectStates } from '../db/state';
import { META_COLUMNS } from '../db/tables';
import type { ObjectDefinition } from '../objects';
import { mergeRow, resolveRules, type ConflictRule, type MergeColumn } from '../sync/merge';
import type { ColumnSpec } from '../sync/type-mapping';
import type { ActivityContext } from './context';

/** Installs the table's triggers after a describe, and the person view when Lead or Contact changed. */
export async function afterDescribe(ctx: ActivityContext, def: ObjectDefinition, table: string, columns: readonly ColumnSpec[]): Promise<void> {
  const schema = ctx.config.database.schema;
  const vanished = def.direction === 'two-way' ? await vanishedFields(ctx.db, def.name, columns) : [];
  await installTableGuards(ctx.db, schema, table, def, columns, vanished);
  if (def.name === 'Lead' || def.name === 'Contact') {
    const states = await readObjectStates(ctx.db, ['Lead', 'Contact']);
    const lead = states.get('Lead');
    const contact = states.get('Contact');
    if (lead && contact && lead.tableName === 'lead' && contact.tableName === 'contact') await ensurePersonView(ctx.db, schema, lead.columns, contact.columns);
  }
}

/** How one two-way object's fields merge: the tracked columns and the rule of each field. */
export interface MergePlan {
  columns: MergeColumn[];
  rule(field: string): ConflictRule;
}

/** The merge plan of `def` from its columns and the configured rules (throws ConflictRuleError on a bad field name). */
export function mergePlan(ctx: ActivityContext, def: ObjectDefinition, columns: readonly ColumnSpec[]): MergePlan {
  const tracked = new Set(captureSpec(def.name, columns).tracked);
  const mergeColumns = columns.filter((c) => tracked.has(c.column)).map((c) => ({ column: c.column, field: c.field, kind: c.kind }));
  const rule = resolveRules(
    def.name,
    def.push?.conflictDefault ?? 'salesforce-wins',
    ctx.config.sync.conflictRules[def.name],
    columns.filter((c) => c.field !== '').map((c) => c.field),
  );
  return { columns: mergeColumns, rule };
}

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
  const horizon = state?.watermark ? new Date(state.watermark.getTime() - ctx.config.sync.overlapWindowSeconds * 1000) : new Date(0);
  const { rows } = await tx.query(
    `SELECT 1 FROM tandem.outbox WHERE object = $1 AND operation = 'delete' AND sfid IS NOT NULL AND captured_at >= $2 LIMIT 1`,
    [def.name, horizon],
  );
  return rows.length > 0 ? horizon : null;
}

/**
 * Deletes again the rows a page brought back although marketing deleted them: the record was not
 * changed in Salesforce after the delete (or the delete was pushed and Salesforce's delete came back).
 */
async function buryResurrected(tx: pg.PoolClient, def: ObjectDefinition, target: { schema: string; table: string }, since: Date): Promise<void> {
  await tx.query(
    `DELETE FROM ${qualifiedName(target.schema, target.table)} t USING tandem.outbox o
      WHERE o.object = $1 AND o.operation = 'delete' AND o.sfid IS NOT NULL AND o.captured_at >= $2 AND t.sfid = o.sfid
        AND (t.systemmodstamp <= o.captured_at OR (o.status = 'pushed' AND t.isdeleted IS TRUE))
        AND NOT EXISTS (SELECT 1 FROM tandem.outbox n WHERE n.object = o.object AND n.row_id = t.id)`,
    [def.name, since],
  );
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
      if (tombstonesSince) await buryResurrected(tx, def, target, tombstonesSince);
      if (before.size === 0) return 0;
      const { rows } = await tx.query<{ id: string }>(
        // The pull's upsert stamps every row it writes with now(), the transaction's start.
        `SELECT id FROM ${qualifiedName(target.schema, target.table)} WHERE id = ANY($1::bigint[]) AND ${quoteIdentifier(META_COLUMNS.syncedAt)} = now()`,
        [[...before.keys()]],
      );
      const touched = rows.map((r) => Number(r.id));
      if (touched.length === 0) return 0;
      const plan = mergePlan(ctx, def, target.columns);
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
        for (const c of stillPending) nextBase[c] = c in result.base ? result.base[c] : base[c] ?? null;
        await saveShadow(tx, def.name, id, nextBase);
        if (stillPending.length === 0 && !mine.some((e) => e.operation === 'insert')) {
          await resolveSyncError(tx, target.schema, target.table, def.name, id, 'superseded: Salesforce has the values now');
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
