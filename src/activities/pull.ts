/**
 * The incremental pull of one object: queryAll on `SystemModstamp >= watermark − overlap` ordered by
 * SystemModstamp, Id (queryAll also returns soft-deleted rows, merge losers with MasterRecordId, and
 * archived activities: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_queryall.htm), upserted page by page with the page's newest stamp as
 * the watermark, in the same transaction. Purged deletes come from getDeleted, at most every
 * `deletedCheckIntervalSeconds`. The cost is one query call per 2,000 changes, whatever the table size.
 */
import type { PullResult } from '../shared';
import type pg from 'pg';
import { applyDeletes, dedupeById, purgeDeletedRows, upsertChangedRows, type TextRow } from '../db/copy';
import { clearNotVisible, databaseNow } from '../db/not-visible';
import { withTransaction } from '../db/pool';
import { flagNeedsCopy, readObjectState, saveDeletesCovered, saveWatermark, type ObjectState } from '../db/state';
import type { ObjectDefinition } from '../objects';
import type { SalesforceClient } from '../salesforce/connection';
import { getDeleted } from '../salesforce/replication';
import { queryPages } from '../salesforce/rest-query';
import { buildSelect } from '../salesforce/soql';
import { coerceRows, toEighteen, type RefusedRecord } from '../sync/coerce';
import { quarantineRecords, releaseQuarantined } from '../db/quarantine';
import { DELETED_COLUMN, ID_COLUMN, selectedFields, type ColumnSpec } from '../sync/type-mapping';
import { advanceWatermark, deletedWindow, pullWindowStart } from '../sync/watermark';
import { guardPendingChanges } from './pending-merge';
import { beat, definitionOf, recordApiUsage, throwIfCancelled, type ActivityContext } from './context';
import { errorCode, toActivityFailure } from './errors';
import { CURSOR_FIELD, refreshSchema } from './schema';
import { sweepVisibility } from './visibility';

/** PostgreSQL errors of a table altered by hand: undefined column or table, datatype mismatch, bad input for the new type. */
const LOCAL_SCHEMA_DRIFT = new Set(['42703', '42P01', '42804', '22P02']);

/**
 * queryAll pages hold up to 2,000 rows
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm): one call per 2,000 changes.
 */
const PULL_BATCH_SIZE = 2000;

/** Pulls `object`'s changes since its watermark into PostgreSQL. */
export async function pullChanges(ctx: ActivityContext, input: { object: string }): Promise<PullResult> {
  let call = 'pullChanges';
  let client: SalesforceClient | undefined;
  try {
    const def = definitionOf(ctx, input.object);
    client = await ctx.salesforce();
    let state = await readObjectState(ctx.db, def.name);
    if (!state?.watermark || !state.copyCompletedAt) {
      // Not copied yet: the initial copy sets the first watermark; planCycle reports it as never-copied.
      return { object: def.name, rowsPulled: 0, rowsDeleted: 0, watermark: null, apiCalls: client.apiCalls };
    }
    const pullStartedAt = ctx.now();
    if (pullStartedAt.getTime() - state.describedAt.getTime() >= ctx.config.sync.describeIntervalSeconds * 1000) {
      call = 'describe';
      await refreshSchema(ctx, client, def);
      state = (await readObjectState(ctx.db, def.name))!;
    }
    // Rows written from here on were seen by this pull; the visibility sweep checks only the others.
    const pullStartedLocally = await databaseNow(ctx.db);
    call = 'queryAll';
    let counts: PageCounts;
    try {
      counts = await pullPages(ctx, client, def, state);
    } catch (error) {
      // INVALID_FIELD: a field vanished or lost field-level access since the last describe; or the local
      // table was altered by hand (column or table dropped, type changed). Re-describe once — which
      // restores the table and schedules a copy to refill it — and retry; a second failure is final.
      const code = errorCode(error) ?? '';
      if (code !== 'INVALID_FIELD' && !LOCAL_SCHEMA_DRIFT.has(code)) throw error;
      call = 'describe after INVALID_FIELD';
      await refreshSchema(ctx, client, def);
      state = (await readObjectState(ctx.db, def.name))!;
      call = 'queryAll after re-describe';
      counts = await pullPages(ctx, client, def, state);
    }
    const watermark = advanceWatermark(
      state.watermark!,
      counts.newest,
      pullStartedAt,
      ctx.config.sync.overlapWindowSeconds,
    );
    await saveWatermark(ctx.db, def.name, watermark, pullStartedAt);
    let deleted = counts.deleted;
    if (state.getDeleted) {
      call = 'getDeleted';
      deleted += await pullPurgedDeletes(ctx, client, def, state);
    }
    call = 'visibility sweep';
    const sweep = await sweepVisibility(ctx, client, def, state, pullStartedLocally);
    deleted += sweep.hidden;
    await recordApiUsage(ctx, client);
    return {
      object: def.name,
      rowsPulled: counts.pulled + sweep.restored,
      rowsDeleted: deleted,
      rowsRead: counts.read,
      rowsUnchanged: counts.unchanged,
      ...(counts.quarantined > 0 && { rowsQuarantined: counts.quarantined }),
      watermark: watermark.toISOString(),
      apiCalls: client.apiCalls,
    };
  } catch (error) {
    throw toActivityFailure(error, { object: input.object, call, rateLimit: 'report' });
  }
}

/** What a pull read: rows changed (pulled), newly marked deleted, read in all, and re-read unchanged. */
interface PageCounts {
  pulled: number;
  deleted: number;
  read: number;
  unchanged: number;
  quarantined: number;
  newest: Date | null;
}

/**
 * Reads the changed rows page by page; each page and its newest stamp commit together. Rows re-read
 * inside the overlap window with nothing changed are neither rewritten nor counted as pulled.
 */
async function pullPages(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
  state: ObjectState,
): Promise<PageCounts> {
  const columns: ColumnSpec[] = state.columns;
  const soql = buildSelect({
    object: def.name,
    fields: selectedFields(columns),
    where: [
      { field: CURSOR_FIELD, op: '>=', value: pullWindowStart(state.watermark!, ctx.config.sync.overlapWindowSeconds) },
    ],
    orderBy: [CURSOR_FIELD, 'Id'],
  });
  const target = { schema: ctx.config.database.schema, table: state.tableName, columns };
  let pulled = 0;
  let deleted = 0;
  let read = 0;
  let quarantined = 0;
  let newest: Date | null = null;
  for await (const page of queryPages(client, soql, { scanAll: true, batchSize: PULL_BATCH_SIZE })) {
    throwIfCancelled();
    // A record with a value its column cannot hold is quarantined; the rest of the page goes in.
    const coerced = coerceRows(def.name, columns, page.records);
    const rows = dedupeById(coerced.rows);
    let pageNewest: Date | null = null;
    for (const record of page.records) {
      const stamp = new Date(String(record[CURSOR_FIELD]).replace(/\+0000$/, 'Z'));
      if (!Number.isNaN(stamp.getTime()) && (!pageNewest || stamp > pageNewest)) pageNewest = stamp;
    }
    const counts = await withTransaction(ctx.db, async (tx) => {
      const written = await writePulledRows(ctx, tx, def, target, rows, coerced.refused);
      // Ordered by SystemModstamp: every row stamped before this page's newest has been read.
      if (pageNewest) await saveWatermark(tx, def.name, pageNewest, ctx.now());
      return written;
    });
    pulled += counts.changed - counts.changedDeleted;
    deleted += counts.changedDeleted;
    read += rows.length + coerced.refused.length;
    quarantined += coerced.refused.length;
    if (pageNewest && (!newest || pageNewest > newest)) newest = pageNewest;
    beat({ object: def.name, rowsPulled: pulled, rowsDeleted: deleted });
  }
  return { pulled, deleted, read, unchanged: read - pulled - deleted - quarantined, quarantined, newest };
}

/**
 * Writes rows read from Salesforce inside the caller's transaction: rows with marketing-side changes not
 * yet pushed are merged field by field, not overwritten; records whose values the table cannot hold are
 * quarantined instead (`refused`), and a record stored again leaves quarantine; a record read again is
 * visible again.
 */
export async function writePulledRows(
  ctx: ActivityContext,
  tx: pg.PoolClient,
  def: ObjectDefinition,
  target: { schema: string; table: string; columns: ColumnSpec[] },
  rows: TextRow[],
  refused: readonly RefusedRecord[] = [],
): Promise<{ changed: number; changedDeleted: number }> {
  const deletedColumn = target.columns.find((c) => c.column === DELETED_COLUMN)!.column;
  const pending = await guardPendingChanges(ctx, tx, def, target);
  const written = await upsertChangedRows(tx, target, rows, deletedColumn);
  await pending?.reconcile();
  const idIndex = target.columns.findIndex((c) => c.column === ID_COLUMN);
  const ids = rows.map((r) => r[idIndex]).filter((id): id is string => id !== null);
  await quarantineRecords(
    tx,
    refused.map((r) => ({ object: def.name, operation: 'pull' as const, ...r })),
  );
  await releaseQuarantined(tx, def.name, ids);
  if (ctx.config.sync.deletePolicy === 'hard') await purgeDeletedRows(tx, target.schema, target.table);
  await clearNotVisible(tx, def.name, ids);
  return written;
}

/**
 * Applies getDeleted for rows purged from the recycle bin (queryAll no longer returns them). When
 * Salesforce's `earliestDateAvailable` is past the window start, deletes were lost: the object is flagged
 * for a re-copy (`watermark-too-old`), whose end retires every row it did not see.
 */
async function pullPurgedDeletes(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
  state: ObjectState,
): Promise<number> {
  const now = ctx.now();
  const window = deletedWindow(
    state.deletesCoveredUntil ?? state.watermark!,
    now,
    ctx.config.sync.overlapWindowSeconds,
    ctx.config.sync.deletedCheckIntervalSeconds,
  );
  if (!window) return 0;
  const result = await getDeleted(client, def.name, window.start, window.end);
  const ids = result.deletedRecords.map((r) => toEighteen(r.id));
  const coveredUntil = new Date(result.latestDateCovered.replace(/\+0000$/, 'Z'));
  const earliest = new Date(result.earliestDateAvailable.replace(/\+0000$/, 'Z'));
  return withTransaction(ctx.db, async (tx) => {
    const changed = await applyDeletes(
      tx,
      ctx.config.database.schema,
      state.tableName,
      ids,
      ctx.config.sync.deletePolicy,
    );
    if (!Number.isNaN(coveredUntil.getTime())) await saveDeletesCovered(tx, def.name, coveredUntil);
    if (!Number.isNaN(earliest.getTime()) && earliest > window.start)
      await flagNeedsCopy(tx, def.name, 'watermark-too-old');
    return changed;
  });
}
