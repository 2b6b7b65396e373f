/**
 * Reads the outbox of one object and carries out each row's decision (src/push/decide-row.ts): the
 * rows to delete, insert and update, with the entries that need no call closed on the way.
 */
import type { ActivityContext } from '../activities/context';
import { isNotVisible } from '../db/not-visible';
import { deletedError, notVisibleError } from './visibility-check';
import { closeEntries, dropColumns, type OutboxEntry } from '../db/outbox';
import { withTransaction } from '../db/pool';
import { recordSyncError } from '../db/sync-errors';
import { readRows } from '../db/table-rows';
import { decideRow } from './decide-row';
import type { PushPlan, RowWork, Tally } from './types';

/** One object's collapsed work, by operation. */
export interface PushWork {
  deletes: RowWork[];
  inserts: RowWork[];
  updates: RowWork[];
}

/** Collapses open entries per row into deletes, inserts and updates; closes what needs no call. */
export async function collapse(
  ctx: ActivityContext,
  plan: PushPlan,
  entries: readonly OutboxEntry[],
  tally: Tally,
): Promise<PushWork> {
  const byRow = new Map<number, OutboxEntry[]>();
  for (const e of entries) (byRow.get(e.rowId) ?? byRow.set(e.rowId, []).get(e.rowId)!).push(e);
  const rows = await readRows(ctx.db, plan.schema, plan.table, [...byRow.keys()]);
  const work: PushWork = { deletes: [], inserts: [], updates: [] };
  for (const [rowId, mine] of byRow) {
    const row = rows.get(rowId);
    const ids = mine.map((e) => e.id);
    const { dropNeverPush, action } = decideRow(plan, mine, row);
    if (dropNeverPush.length > 0)
      await dropColumns(ctx.db, plan.def.name, rowId, dropNeverPush, 'not pushed: conflict rule never-push');
    switch (action.kind) {
      case 'wait':
        break;
      case 'close':
        await closeEntries(ctx.db, ids, action.status, action.note);
        if (action.deleteNotPropagated) tally.deletesNotPropagated++;
        break;
      case 'delete':
        work.deletes.push({ rowId, entries: mine, row: row ?? {}, sfid: action.sfid, send: {} });
        break;
      case 'insert':
        work.inserts.push({ rowId, entries: mine, row: row!, sfid: null, send: action.send });
        break;
      case 'update':
        work.updates.push({ rowId, entries: mine, row: row!, sfid: action.sfid, send: action.send });
        break;
      case 'gone': {
        const error = (await isNotVisible(ctx.db, plan.def.name, action.sfid))
          ? notVisibleError(plan.def.name, action.sfid)
          : deletedError(plan.def.name, action.sfid);
        await withTransaction(ctx.db, (tx) =>
          recordSyncError(tx, plan.schema, plan.table, ids, {
            object: plan.def.name,
            rowId,
            sfid: action.sfid,
            operation: 'update',
            ...error,
            fields: [],
          }),
        );
        tally.failed++;
        break;
      }
    }
  }
  return work;
}
