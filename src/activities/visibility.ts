/**
 * The visibility sweep of one object. A record the sync user can no longer see (its owner moved to a
 * user whose records are private, a sharing rule withdrawn) vanishes from queryAll without a delete, so
 * neither the incremental pull nor getDeleted ever reports it, and its row would stay live and stale.
 * At most every `deletedCheckIntervalSeconds`, after the pull, the sweep asks Salesforce which of the
 * locally live ids not seen by this pull still exist for the sync user (`SELECT Id … WHERE Id IN (…)`,
 * IDS_PER_QUERY per call), and marks the missing ones deleted with reason not-visible (src/db/not-visible.ts);
 * it also asks for the marked ones, and pulls those visible again. A record
 * in the recycle bin is still returned (queryAll): deletes stay the pull's to mark.
 */
import { withTransaction } from '../db/pool';
import {
  liveRowsNotSeenSince,
  markNotVisible,
  notVisibleIds,
  saveVisibilityChecked,
  visibilityCheckedAt,
} from '../db/not-visible';
import type { ObjectState } from '../db/state';
import type { ObjectDefinition } from '../objects';
import type { SalesforceClient } from '../salesforce/connection';
import { queryPages } from '../salesforce/rest-query';
import { buildSelectByIds } from '../salesforce/soql';
import { coerceRows, toEighteen } from '../sync/coerce';
import { selectedFields } from '../sync/type-mapping';
import { beat, throwIfCancelled, type ActivityContext } from './context';
import { writePulledRows } from './pull';

/**
 * Ids per query: 200 quoted 18-character ids keep the GET URL near 5 KB, well under the 16,384-byte
 * URI limit of the REST API (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm),
 * and one call per 200 rows.
 */
export const IDS_PER_QUERY = 200;

/** What a sweep did: rows marked not visible, and rows pulled again because they are visible once more. */
export interface SweepResult {
  hidden: number;
  restored: number;
}

/** Splits ids into the query-sized groups. Pure. */
export function idBatches(ids: readonly string[], size = IDS_PER_QUERY): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}

/** The ids of `batch` Salesforce did not return. Pure. */
export function missingIds(batch: readonly string[], returned: ReadonlySet<string>): string[] {
  return batch.filter((id) => !returned.has(id));
}

/** Runs the sweep when due; rows written since `seenSince` (PostgreSQL's clock) were seen by the pull and are skipped. */
export async function sweepVisibility(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
  state: ObjectState,
  seenSince: Date,
): Promise<SweepResult> {
  const now = ctx.now();
  const last = await visibilityCheckedAt(ctx.db, def.name);
  if (last && now.getTime() - last.getTime() < ctx.config.sync.deletedCheckIntervalSeconds * 1000)
    return { hidden: 0, restored: 0 };
  const schema = ctx.config.database.schema;
  let hidden = 0;
  for (const batch of idBatches(await liveRowsNotSeenSince(ctx.db, schema, state.tableName, seenSince))) {
    throwIfCancelled();
    const visible = new Set<string>();
    for await (const page of queryPages(client, buildSelectByIds(def.name, ['Id'], batch), { scanAll: true }))
      for (const r of page.records) visible.add(toEighteen(String(r.Id)));
    const gone = missingIds(batch, visible);
    if (gone.length > 0)
      hidden += await withTransaction(ctx.db, (tx) =>
        markNotVisible(tx, schema, state.tableName, def.name, gone, ctx.config.sync.deletePolicy),
      );
    beat({ object: def.name, visibilitySweep: true, hidden });
  }
  let restored = 0;
  const target = { schema, table: state.tableName, columns: state.columns };
  for (const batch of idBatches(await notVisibleIds(ctx.db, def.name))) {
    throwIfCancelled();
    for await (const page of queryPages(client, buildSelectByIds(def.name, selectedFields(state.columns), batch), {
      scanAll: true,
    })) {
      if (page.records.length === 0) continue;
      const coerced = coerceRows(def.name, state.columns, page.records);
      const written = await withTransaction(ctx.db, (tx) =>
        writePulledRows(ctx, tx, def, target, coerced.rows, coerced.refused),
      );
      restored += written.changed;
    }
  }
  await saveVisibilityChecked(ctx.db, def.name, now);
  return { hidden, restored };
}
