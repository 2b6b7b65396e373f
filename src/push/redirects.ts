/**
 * Before the outbox is read: Salesforce merges are folded into the marketing rows, and the open edits
 * of rows that now stand for another record (src/push/redirect-rules.ts) are applied to that record's
 * row as a marketing-side write, so its own capture pushes them.
 */
import { closeEntries, openEntriesOf, rowsWithOpenEditsHolding } from '../db/outbox';
import { recordMergeFolded, unfoldedMergeLosers } from '../db/merge-applied';
import { withTransaction } from '../db/pool';
import { PUSH_COLUMNS } from '../db/push-columns';
import { readObjectState, type ObjectState } from '../db/state';
import { resolveRedirectedSyncError } from '../db/sync-errors';
import { META_COLUMNS, existingColumns } from '../db/tables';
import { readRows, readRowsBySfid, writeColumns } from '../db/table-rows';
import { objectOfId } from '../objects';
import { captureSpec } from '../sync/capture-spec';
import { fillBlanks } from '../sync/merge';
import type { ActivityContext } from '../activities/context';
import { redirectTarget, valuesForTarget, writableInTarget } from './redirect-rules';
import type { PushPlan, Tally } from './types';

/** A merge chain is followed this many hops at most (a contact merged after a lead converted into it). */
const MAX_MERGE_HOPS = 5;

/** The local row a redirect lands on. */
export interface TargetRow {
  object: string;
  state: ObjectState;
  row: Record<string, unknown>;
}

/**
 * A target record's local row, following merge masters; null when the id is not of an object that
 * receives redirects (objects/<object>.ts `receivesRedirects`) or the record is not synced yet.
 */
export async function targetRow(ctx: ActivityContext, sfid: string): Promise<TargetRow | null> {
  let id = sfid;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const def = objectOfId(ctx.objects, id);
    if (!def?.push?.receivesRedirects) return null;
    const state = await readObjectState(ctx.db, def.name);
    if (!state) return null;
    const row = (await readRowsBySfid(ctx.db, ctx.config.database.schema, state.tableName, [id])).get(id);
    if (!row) return null;
    if (row.isdeleted === true && typeof row.masterrecordid === 'string') {
      id = row.masterrecordid;
      continue;
    }
    return { object: def.name, state, row };
  }
  return null;
}

/**
 * Applies the open edits of rows that stand for another record to that record's row: rows linked to a
 * record and rows in a redirect state (their edits win), merge losers (only into their master's blanks).
 * Rows whose target is not synced yet stay pending.
 */
export async function redirectEdits(ctx: ActivityContext, plan: PushPlan, tally: Tally): Promise<void> {
  const holders: { flag?: string; target: string }[] = [{ target: PUSH_COLUMNS.linkedTo }, ...plan.redirects];
  if (plan.byColumn.has('masterrecordid')) holders.push({ flag: 'isdeleted', target: 'masterrecordid' });
  const ids = await rowsWithOpenEditsHolding(ctx.db, plan.schema, plan.table, plan.def.name, holders);
  if (ids.length === 0) return;
  const sources = await readRows(ctx.db, plan.schema, plan.table, ids);
  const entries = await openEntriesOf(ctx.db, plan.def.name, ids);
  for (const id of ids) {
    const row = sources.get(id);
    const target = row && redirectTarget(plan, row);
    if (!row || !target) continue;
    const found = await targetRow(ctx, target.sfid);
    if (!found) continue;
    const mine = entries.filter((e) => e.rowId === id);
    const columns = writableInTarget(
      new Set(mine.flatMap((e) => Object.keys(e.changed))),
      captureSpec(found.object, found.state.columns),
    );
    const kinds = new Map(found.state.columns.map((c) => [c.column, c.kind]));
    const values = valuesForTarget(target.mode, row, found.row, columns, kinds);
    await withTransaction(ctx.db, async (tx) => {
      await writeColumns(tx, plan.schema, found.state.tableName, Number(found.row.id), values, { capture: true });
      const note = `${target.why}: edits applied to ${found.object} ${String(found.row.sfid)}${Object.keys(values).length === 0 ? ' (nothing to change there)' : ''}`;
      await closeEntries(
        tx,
        mine.map((e) => e.id),
        'redirected',
        note,
      );
      await resolveRedirectedSyncError(tx, plan.def.name, id, note);
    });
    tally.redirected++;
  }
}

/**
 * Folds Salesforce merges into the marketing rows, once per loser: the master's blank local-only
 * columns (columns marketing added to the table, which Salesforce never saw) take the loser's values.
 * The losers stay, marked deleted with their MasterRecordId (the pull did that); their pending edits
 * are redirected to the master by `redirectEdits`.
 */
export async function foldMerges(ctx: ActivityContext, plan: PushPlan): Promise<void> {
  const losers = await unfoldedMergeLosers(ctx.db, plan.schema, plan.table, plan.def.name);
  if (losers.length === 0) return;
  const synced = new Set([
    ...plan.byColumn.keys(),
    'id',
    PUSH_COLUMNS.error,
    PUSH_COLUMNS.linkedTo,
    META_COLUMNS.copyId,
    META_COLUMNS.syncedAt,
  ]);
  const localOnly = [...(await existingColumns(ctx.db, plan.schema, plan.table)).keys()].filter((c) => !synced.has(c));
  const rows = await readRows(
    ctx.db,
    plan.schema,
    plan.table,
    losers.map((l) => l.rowId),
  );
  for (const loser of losers) {
    const master = await targetRow(ctx, loser.masterSfid);
    await withTransaction(ctx.db, async (tx) => {
      if (master && master.object === plan.def.name && localOnly.length > 0) {
        await writeColumns(
          tx,
          plan.schema,
          plan.table,
          Number(master.row.id),
          fillBlanks(master.row, rows.get(loser.rowId) ?? {}, localOnly),
        );
      }
      await recordMergeFolded(tx, plan.def.name, loser.sfid, loser.masterSfid);
    });
  }
}
