/**
 * Applies one call's per-record results (src/push/result-rules.ts) in one transaction: successes close
 * their entries (inserts write the new sfid back), adopted records are linked or taken over, transient
 * failures stay pending, permanent ones become sync errors.
 */
import type pg from 'pg';
import type { ActivityContext } from '../activities/context';
import {
  closeEntries,
  columnsChangedAgain,
  noteEntries,
  openEntriesOf,
  retryEntries,
  rowsInsertedLocally,
} from '../db/outbox';
import { withTransaction } from '../db/pool';
import { PUSH_COLUMNS } from '../db/push-columns';
import { deleteShadows, readShadow, saveShadow } from '../db/shadow';
import { recordSyncError, resolvePushedSyncErrors } from '../db/sync-errors';
import { deleteRows, readRows, rowIdsWithSfid, setSfid, writeColumns } from '../db/table-rows';
import type { SalesforceClient } from '../salesforce/connection';
import type { RecordError, RecordResult } from '../salesforce/writes';
import { allowedValuesOf } from './allowed-values';
import { findByInsertKey } from './find-existing';
import { markNotVisible } from '../db/not-visible';
import { invisibleRecords, mayBeNotVisible, notVisibleError } from './visibility-check';
import { failureOutcome, resultOutcome, shadowAfterSend, type ResultOutcome } from './result-rules';
import { entryIds, type PushOperation, type PushPlan, type RowWork, type Tally } from './types';

/** Applies one call's per-record results (in the order of `work`) in one transaction. */
export async function applyResults(
  ctx: ActivityContext,
  client: SalesforceClient,
  plan: PushPlan,
  op: PushOperation,
  work: RowWork[],
  results: RecordResult[],
  tally: Tally,
): Promise<void> {
  const ok: { w: RowWork; r: RecordResult }[] = [];
  const retry: { w: RowWork; error: RecordError }[] = [];
  const failed: { w: RowWork; error: RecordError }[] = [];
  const adopt: { w: RowWork; id: string; note: string }[] = [];
  for (let i = 0; i < work.length; i++) {
    const w = work[i]!;
    const outcome = await resolveLookups(ctx, client, plan, w, resultOutcome(plan, op, results[i], w.sfid));
    if (outcome.kind === 'ok') ok.push({ w, r: outcome.result });
    else if (outcome.kind === 'adopt') adopt.push({ w, id: outcome.id, note: outcome.note });
    else if (outcome.kind === 'retry') retry.push({ w, error: outcome.error });
    else failed.push({ w, error: outcome.error });
  }
  const suspects =
    op === 'update' ? failed.filter((f) => f.w.sfid && mayBeNotVisible(f.error)).map((f) => f.w.sfid!) : [];
  const invisible = suspects.length > 0 ? await invisibleRecords(client, plan.def.name, suspects) : new Set<string>();
  await withTransaction(ctx.db, async (tx) => {
    if (invisible.size > 0)
      await markNotVisible(tx, plan.schema, plan.table, plan.def.name, [...invisible], ctx.config.sync.deletePolicy);
    for (const f of failed)
      if (f.w.sfid && invisible.has(f.w.sfid))
        f.error = { statusCode: 'NOT_VISIBLE', message: notVisibleError(plan.def.name, f.w.sfid).message, fields: [] };
    await applySuccess(
      tx,
      plan,
      op,
      ok.map((o) => o.w),
      ok.map((o) => o.r),
      tally,
    );
    for (const { w, error } of retry)
      await retryEntries(
        tx,
        w.entries.map((e) => e.id),
        `${error.statusCode}: ${error.message}`,
      );
    for (const { w, error } of failed) {
      await recordSyncError(
        tx,
        plan.schema,
        plan.table,
        w.entries.map((e) => e.id),
        {
          object: plan.def.name,
          rowId: w.rowId,
          sfid: w.sfid,
          operation: op,
          code: error.statusCode,
          message: error.message,
          fields: error.fields,
        },
      );
      tally.failed++;
    }
    for (const { w, id, note } of adopt) {
      const ids = w.entries.map((e) => e.id);
      if ((await rowIdsWithSfid(tx, plan.schema, plan.table, id)).length > 0) {
        // The record is already a local row: link this one to it; its values follow as that row's edits.
        await writeColumns(tx, plan.schema, plan.table, w.rowId, { [PUSH_COLUMNS.linkedTo]: id });
        await noteEntries(tx, ids, note);
      } else {
        // Take the record's id; the entries stay pending and go out as an update next cycle.
        await writeColumns(tx, plan.schema, plan.table, w.rowId, { sfid: id });
        await noteEntries(tx, ids, note, id);
      }
      tally.linked++;
    }
  });
}

/** Settles the outcomes that need a lookup: an existing record to adopt, a refused value to explain. */
async function resolveLookups(
  ctx: ActivityContext,
  client: SalesforceClient,
  plan: PushPlan,
  w: RowWork,
  outcome: ResultOutcome,
): Promise<Exclude<ResultOutcome, { kind: 'find-existing' | 'not-allowed' }>> {
  if (outcome.kind === 'find-existing') {
    const existing = await findByInsertKey(client, plan, w.row, false);
    if (existing) return { kind: 'adopt', id: existing, note: plan.adoptOnDuplicateValue!.note(existing) };
    return resolveLookups(ctx, client, plan, w, failureOutcome(plan, outcome.error));
  }
  if (outcome.kind === 'not-allowed') {
    const rule = plan.allowedValues!;
    const parent = String(w.row[rule.parentColumn]);
    const allowed = (await allowedValuesOf(ctx, rule, [parent])).get(parent) ?? [];
    return {
      kind: 'failed',
      error: {
        ...outcome.error,
        statusCode: rule.code,
        message: rule.message(String(w.row[rule.column]), parent, allowed),
      },
    };
  }
  return outcome;
}

/**
 * Records successes: entries pushed; inserts get their sfid (a local echo row of the same record — pulled
 * after a lost insert result — is removed first); the shadow of rows changed again meanwhile moves to
 * the values sent; open sync errors resolve.
 */
export async function applySuccess(
  tx: pg.PoolClient,
  plan: PushPlan,
  op: PushOperation,
  work: RowWork[],
  results: RecordResult[],
  tally: Tally,
): Promise<void> {
  if (work.length === 0) return;
  const sentIds = entryIds(work);
  const rowIds = work.map((w) => w.rowId);
  if (op === 'insert') {
    for (let i = 0; i < work.length; i++) await recordInsert(tx, plan, work[i]!, results[i]!);
  } else {
    await closeEntries(tx, sentIds, 'pushed', op === 'delete' ? 'deleted in Salesforce' : 'updated');
  }
  tally.pushed += work.length;
  if (op === 'delete') return;
  // Rows changed again since they were read keep a shadow: the values just sent are what both agree on now.
  const again = await columnsChangedAgain(tx, plan.def.name, rowIds, sentIds);
  const shadows =
    again.size > 0
      ? await readShadow(tx, plan.def.name, [...again.keys()])
      : new Map<number, Record<string, unknown>>();
  for (const w of work) {
    const columns = again.get(w.rowId);
    if (columns)
      await saveShadow(tx, plan.def.name, w.rowId, shadowAfterSend(columns, w.send, shadows.get(w.rowId) ?? {}));
  }
  await deleteShadows(
    tx,
    plan.def.name,
    rowIds.filter((id) => !again.has(id)),
  );
  await resolvePushedSyncErrors(tx, plan.schema, plan.table, plan.def.name, rowIds);
}

/**
 * One created (or matched) record: its sfid written back. Another local row already holding that sfid is
 * removed only when it is provably the pulled copy of this very insert (its result lost): a row the pull
 * created (no insert entry of its own), not edited since, carrying this insert's key. Any other holder —
 * edited, inserted locally, or with another key (a row whose key was copied) — keeps the record and its
 * row; this row is linked to it instead, so a returned sfid never deletes or repoints a different person.
 */
async function recordInsert(tx: pg.PoolClient, plan: PushPlan, w: RowWork, result: RecordResult): Promise<void> {
  const sfid = result.id!;
  const holders = await rowIdsWithSfid(tx, plan.schema, plan.table, sfid, w.rowId);
  const echoes = await provenEchoes(tx, plan, w, holders);
  const kept = holders.filter((id) => !echoes.includes(id));
  if (kept.length > 0) {
    const edited = await openEntriesOf(tx, plan.def.name, kept);
    const why = edited.length > 0 ? 'already edited there' : 'not a copy of this insert';
    await writeColumns(tx, plan.schema, plan.table, w.rowId, { [PUSH_COLUMNS.linkedTo]: sfid });
    await closeEntries(
      tx,
      w.entries.map((e) => e.id),
      'linked',
      `in Salesforce as ${sfid}, which local row ${kept[0]!} already holds (${why}): linked to it`,
      sfid,
    );
    return;
  }
  if (echoes.length > 0) await deleteRows(tx, plan.schema, plan.table, echoes);
  await setSfid(tx, plan.schema, plan.table, w.rowId, sfid);
  await closeEntries(
    tx,
    w.entries.map((e) => e.id),
    'pushed',
    result.created === false ? 'created by an earlier attempt: matched by its key, not duplicated' : 'created',
    sfid,
  );
}

/** The holders of an insert's returned sfid that are the pulled copy of that insert (see recordInsert). */
async function provenEchoes(tx: pg.PoolClient, plan: PushPlan, w: RowWork, holders: number[]): Promise<number[]> {
  if (holders.length === 0) return [];
  const edited = new Set((await openEntriesOf(tx, plan.def.name, holders)).map((e) => e.rowId));
  const local = await rowsInsertedLocally(tx, plan.def.name, holders);
  const key = plan.externalId?.column;
  const rows = key ? await readRows(tx, plan.schema, plan.table, holders) : new Map<number, Record<string, unknown>>();
  return holders.filter(
    (id) => !edited.has(id) && !local.has(id) && (!key || (w.row[key] != null && rows.get(id)?.[key] === w.row[key])),
  );
}
