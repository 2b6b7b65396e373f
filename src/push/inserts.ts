/**
 * Gives every insert its idempotency: with the external-id field, a key (a UUID) written to the row and
 * committed before the call — the upsert of a retry finds the record the first attempt created
 * (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html); a key copied from
 * another locally inserted row is replaced first. Without it, rows
 * already sent once (attempts > 0, outcome unknown) are first looked up by their natural key among
 * records the sync user created, and adopted when found.
 */
import type { ActivityContext } from '../activities/context';
import { withTransaction } from '../db/pool';
import { assignRandomKeys, clearCopiedKeys } from '../db/table-rows';
import type { SalesforceClient } from '../salesforce/connection';
import { isBlank } from '../sync/merge';
import { findByInsertKey } from './find-existing';
import { applySuccess } from './record-results';
import type { PushPlan, RowWork, Tally } from './types';

/** Prepares the inserts; returns those still to send (found records are recorded as pushed). */
export async function prepareInserts(ctx: ActivityContext, client: SalesforceClient, plan: PushPlan, inserts: RowWork[], tally: Tally): Promise<RowWork[]> {
  if (inserts.length === 0) return inserts;
  if (plan.externalId) {
    const column = plan.externalId.column;
    const keyed = inserts.filter((w) => !isBlank(w.row[column])).map((w) => w.rowId);
    const keys = await withTransaction(ctx.db, async (tx) => {
      // A key copied from another row would upsert onto that row's record and overwrite its person.
      const copied = new Set(await clearCopiedKeys(tx, plan.schema, plan.table, column, plan.def.name, keyed));
      const missing = inserts.filter((w) => isBlank(w.row[column]) || copied.has(w.rowId)).map((w) => w.rowId);
      return missing.length > 0 ? assignRandomKeys(tx, plan.schema, plan.table, column, missing) : new Map<number, string>();
    });
    for (const w of inserts) if (keys.has(w.rowId)) w.send[column] = w.row[column] = keys.get(w.rowId);
    return inserts;
  }
  const remaining: RowWork[] = [];
  for (const w of inserts) {
    const sentBefore = w.entries.some((e) => e.operation === 'insert' && e.attempts > 0);
    const found = sentBefore ? await findByInsertKey(client, plan, w.row, true) : null;
    if (!found) {
      remaining.push(w);
      continue;
    }
    await withTransaction(ctx.db, (tx) => applySuccess(tx, plan, 'insert', [w], [{ success: true, id: found, created: false, errors: [] }], tally));
  }
  return remaining;
}
