/**
 * Gives every insert its idempotency: with the external-id field, a key (a UUID) written to the row and
 * committed before the call — the upsert of a retry finds the record the first attempt created
 * (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html); a key copied from
 * another locally inserted row is replaced first. Without it, rows
 * already sent once (attempts > 0, outcome unknown) are first looked up by their natural key among
 * records the user that sent them created since that first send, and one no other row holds is adopted:
 * a natural key such as a Campaign's Name is not unique, so neither "exactly one match" nor "any match"
 * is safe alone.
 */
import type { ActivityContext } from '../activities/context';
import { withTransaction } from '../db/pool';
import { sfidsClaimedByInserts } from '../db/outbox';
import { assignRandomKeys, clearCopiedKeys } from '../db/table-rows';
import type { SalesforceClient } from '../salesforce/connection';
import { isBlank } from '../sync/merge';
import { findByInsertKey, findLostInsertCandidates, pickUnclaimed, syncUserId } from './find-existing';
import { applySuccess } from './record-results';
import type { PushPlan, RowWork, Tally } from './types';

/** Prepares the inserts; returns those still to send (found records are recorded as pushed). */
export async function prepareInserts(
  ctx: ActivityContext,
  client: SalesforceClient,
  plan: PushPlan,
  inserts: RowWork[],
  tally: Tally,
): Promise<RowWork[]> {
  if (inserts.length === 0) return inserts;
  if (plan.externalId) {
    const column = plan.externalId.column;
    const keyed = inserts.filter((w) => !isBlank(w.row[column])).map((w) => w.rowId);
    const keys = await withTransaction(ctx.db, async (tx) => {
      // A key copied from another row would upsert onto that row's record and overwrite its person.
      const copied = new Set(await clearCopiedKeys(tx, plan.schema, plan.table, column, plan.def.name, keyed));
      const missing = inserts.filter((w) => isBlank(w.row[column]) || copied.has(w.rowId)).map((w) => w.rowId);
      return missing.length > 0
        ? assignRandomKeys(tx, plan.schema, plan.table, column, missing)
        : new Map<number, string>();
    });
    for (const w of inserts) if (keys.has(w.rowId)) w.send[column] = w.row[column] = keys.get(w.rowId);
    return inserts;
  }
  const remaining: RowWork[] = [];
  const adopted = new Set<string>();
  for (const w of inserts) {
    const found = await findLostInsert(ctx, client, plan, w, adopted);
    if (!found) {
      remaining.push(w);
      continue;
    }
    adopted.add(found);
    await withTransaction(ctx.db, (tx) =>
      applySuccess(tx, plan, 'insert', [w], [{ success: true, id: found, created: false, errors: [] }], tally),
    );
  }
  return remaining;
}

/** The record an earlier, lost send of `w`'s insert created, or null (never sent, or nothing to adopt). */
async function findLostInsert(
  ctx: ActivityContext,
  client: SalesforceClient,
  plan: PushPlan,
  w: RowWork,
  adopted: ReadonlySet<string>,
): Promise<string | null> {
  const sent = w.entries.find((e) => e.operation === 'insert' && e.attempts > 0);
  if (!sent) return null;
  const sentBy = sent.sentBy ?? syncUserId(client);
  // Entries sent before the send time was recorded: the older lookup, adopting only an unambiguous match.
  if (!sent.firstSentAt || !sentBy) return findByInsertKey(client, plan, w.row, true);
  const candidates = await findLostInsertCandidates(client, plan, w.row, { sentAt: sent.firstSentAt, sentBy });
  const taken = await sfidsClaimedByInserts(ctx.db, plan.def.name, candidates);
  for (const id of adopted) taken.add(id);
  return pickUnclaimed(candidates, taken);
}
