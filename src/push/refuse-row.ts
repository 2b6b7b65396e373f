/**
 * The pre-send checks' one outcome for a row Salesforce would refuse (a value its parent does not
 * allow, a text over its UTF-16 length): a sync error on the row's open outbox entries, recorded in
 * one transaction, and the row is not sent.
 */
import type { ActivityContext } from '../activities/context';
import { withTransaction } from '../db/pool';
import { recordSyncError } from '../db/sync-errors';
import type { PushPlan, RowWork, Tally } from './types';

/** Records the sync error for row `w` and counts it as failed. */
export async function refuseBeforeSend(
  ctx: ActivityContext,
  plan: PushPlan,
  w: RowWork,
  operation: 'insert' | 'update',
  tally: Tally,
  error: { code: string; message: string; fields: string[] },
): Promise<void> {
  await withTransaction(ctx.db, (tx) =>
    recordSyncError(
      tx,
      plan.schema,
      plan.table,
      w.entries.map((e) => e.id),
      { object: plan.def.name, rowId: w.rowId, sfid: w.sfid, operation, ...error },
    ),
  );
  tally.failed++;
}
