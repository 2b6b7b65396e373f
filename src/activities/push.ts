/**
 * The push of one two-way object, each cycle after its pull: marketing-side changes captured in
 * `tandem.outbox` (src/db/outbox.ts) reach Salesforce.
 *
 * - Change source: the object's open outbox entries, collapsed per row into one insert, update (the
 *   union of changed columns, current values — Heroku Connect's "merged writes") or delete.
 * - Before sending: Salesforce merges are folded into the marketing rows (losers fill their master's
 *   blanks), and edits of rows that now stand for another record — a converted lead (its contact), a
 *   merge loser (its master), a row linked by email — are applied to that record's row instead. New
 *   leads whose email matches a visible lead or contact are linked to it, not created.
 * - Sending: per operation, sObject Collections of 200 records, or one Bulk API 2.0 ingest job above
 *   `sync.bulkIngestThreshold` rows; `allOrNone: false` so one bad record never holds back the others.
 *   Inserts upsert by the external-id field (`sync.externalIdField`) holding a key written to the row
 *   before the call, so a retry after a crash between Salesforce's success and the local commit finds
 *   the record instead of duplicating it; objects without that field look for the record by their
 *   natural key (objects/<object>.ts `insertKey`) before re-creating it.
 * - Results, per record and per chunk in one transaction: success → entries pushed, new sfid written
 *   back, shadow and sync error cleared; transient → left pending for the next cycle; permanent →
 *   `tandem.sync_error`, the row marked with its error, re-driven by its next change or a resync.
 * - A call that fails as a whole with a transient error leaves its rows pending and ends the push of
 *   this object for this cycle (the backlog says so); a permanent one fails the activity.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import type { PushResult } from '../shared';
import { qualifiedName, quoteIdentifier } from '../db/identifiers';
import { closeEntries, dropColumns, markAttempt, openEntries, openEntriesOf, retryEntries, backlogOf, type OutboxEntry } from '../db/outbox';
import { PUSH_COLUMNS } from '../db/push-columns';
import { readShadow, saveShadow } from '../db/shadow';
import { openErrorCount, recordSyncError } from '../db/sync-errors';
import { readRows, readRowsBySfid, writeColumns } from '../db/table-rows';
import { captureSpec } from '../sync/capture-spec';
import { withTransaction } from '../db/pool';
import { readObjectState, type ObjectState } from '../db/state';
import { META_COLUMNS, existingColumns } from '../db/tables';
import type { ObjectDefinition } from '../objects';
import type { SalesforceClient } from '../salesforce/connection';
import { queryPages } from '../salesforce/rest-query';
import { buildSelect, type SoqlCondition } from '../salesforce/soql';
import {
  COLLECTION_LIMIT,
  bulkIngest,
  createRecords,
  deleteRecords,
  updateRecords,
  upsertRecords,
  type OutgoingRecord,
  type RecordError,
  type RecordResult,
} from '../salesforce/writes';
import { canonical, fillBlanks, isBlank } from '../sync/merge';
import type { ColumnSpec } from '../sync/type-mapping';
import { mergePlan, type MergePlan } from '../sync/merge-plan';
import { beat, definitionOf, recordApiUsage, throwIfCancelled, type ActivityContext } from './context';
import { classify, classifyRecordError, errorCode, toActivityFailure } from './errors';

/** Rows handled per push call; the rest wait for the next cycle (and show as backlog). */
const MAX_ROWS_PER_PUSH = 50_000;

/** Everything the push of one object needs to know about it. */
export interface PushPlan {
  def: ObjectDefinition;
  schema: string;
  table: string;
  columns: ColumnSpec[];
  byColumn: Map<string, ColumnSpec>;
  tracked: Set<string>;
  createable: Set<string>;
  updateable: Set<string>;
  /** Columns whose conflict rule is `never-push`. */
  neverPush: Set<string>;
  /** The external-id column holding Tandem's insert key, when the object has it. */
  externalId: ColumnSpec | null;
  pushDeletes: boolean;
  merge: MergePlan;
}

/** Builds the push plan of `def` from its described columns and the config. */
export function pushPlan(ctx: ActivityContext, def: ObjectDefinition, state: ObjectState): PushPlan {
  const spec = captureSpec(def.name, state.columns);
  const tracked = new Set(spec.tracked);
  const notCreateable = new Set(spec.notCreateable.map(([c]) => c));
  const notUpdateable = new Set(spec.notUpdateable.map(([c]) => c));
  const merge = mergePlan(def, state.columns, ctx.config.sync.conflictRules[def.name]);
  const byColumn = new Map(state.columns.map((c) => [c.column, c]));
  const extName = ctx.config.sync.externalIdField.toLowerCase();
  const ext = state.columns.find((c) => c.field.toLowerCase() === extName && c.createable !== false && c.externalId !== false) ?? null;
  return {
    def,
    schema: ctx.config.database.schema,
    table: state.tableName,
    columns: state.columns,
    byColumn,
    tracked,
    createable: new Set(spec.tracked.filter((c) => !notCreateable.has(c))),
    updateable: new Set(spec.tracked.filter((c) => !notUpdateable.has(c))),
    neverPush: new Set(merge.columns.filter((c) => merge.rule(c.field) === 'never-push').map((c) => c.column)),
    externalId: ext,
    pushDeletes: ctx.config.sync.pushDeletes[def.name] ?? def.push?.pushDeletes ?? false,
    merge,
  };
}

/** Counters of one push call. */
interface Tally {
  pushed: number;
  failed: number;
  linked: number;
  redirected: number;
  deletesNotPropagated: number;
  /** Set when a whole call failed transiently: the rest waits for the next cycle. */
  interrupted: string | null;
}

/** One row's collapsed work. */
interface RowWork {
  rowId: number;
  entries: OutboxEntry[];
  row: Record<string, unknown>;
  sfid: string | null;
  /** Column → value to send. */
  send: Record<string, unknown>;
}

/** Pushes `object`'s pending outbox rows; refuses objects that sync from Salesforce only. */
export async function pushChanges(ctx: ActivityContext, input: { object: string }): Promise<PushResult> {
  let call = 'pushChanges';
  try {
    const def = definitionOf(ctx, input.object);
    if (def.direction !== 'two-way' || !def.push) {
      throw ApplicationFailure.create({ message: `${def.name}: pushChanges refused: ${def.name} syncs from Salesforce only`, type: 'NotTwoWay', nonRetryable: true });
    }
    const tally: Tally = { pushed: 0, failed: 0, linked: 0, redirected: 0, deletesNotPropagated: 0, interrupted: null };
    const state = await readObjectState(ctx.db, def.name);
    if (!state?.copyCompletedAt) return await finish(ctx, def, tally, 0); // nothing to push against before the first copy
    // One push per object at a time, across workers: a retry started while a stalled attempt still runs
    // (heartbeat timeout) would otherwise send the same rows twice.
    call = 'take the push lock';
    const lock = await ctx.db.connect();
    let locked = false;
    try {
      locked = (await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [`tandem push ${def.name}`])).rows[0]!.ok;
      if (!locked) {
        throw ApplicationFailure.create({ message: `${def.name}: another push of ${def.name} is still running; retrying`, type: 'PushBusy', nonRetryable: false });
      }
      return await pushLocked(ctx, def, state, tally, (step) => (call = step));
    } finally {
      if (locked) await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`tandem push ${def.name}`]).catch(() => undefined);
      lock.release();
    }
  } catch (error) {
    throw toActivityFailure(error, { object: input.object, call });
  }
}

/** The push proper, under the object's push lock; `at` names the current step for failure messages. */
async function pushLocked(ctx: ActivityContext, def: ObjectDefinition, state: ObjectState, tally: Tally, at: (step: string) => void): Promise<PushResult> {
  const client = await ctx.salesforce();
  const plan = pushPlan(ctx, def, state);
  if (plan.byColumn.has('masterrecordid')) {
    at('fold Salesforce merges into marketing rows');
    await foldMerges(ctx, plan);
  }
  at('redirect edits of converted, merged and linked rows');
  await redirectEdits(ctx, plan, tally);
  at('read the outbox');
  const work = await collapse(ctx, plan, await openEntries(ctx.db, def.name, MAX_ROWS_PER_PUSH), tally);
  if (def.name === 'Lead' && ctx.config.sync.dedupeLeadsByEmail) {
    at('match new leads by email');
    work.inserts = await linkByEmail(ctx, plan, work.inserts, tally);
  }
  if (def.name === 'CampaignMember') {
    at('check campaign member statuses');
    work.inserts = await checkMemberStatuses(ctx, plan, work.inserts, 'insert', tally);
    work.updates = await checkMemberStatuses(ctx, plan, work.updates, 'update', tally);
  }
  at(`delete ${def.name} records`);
  await send(ctx, client, plan, 'delete', work.deletes, tally);
  at(`insert ${def.name} records`);
  await send(ctx, client, plan, 'insert', await prepareInserts(ctx, client, plan, work.inserts, tally), tally);
  at(`update ${def.name} records`);
  await send(ctx, client, plan, 'update', work.updates, tally);
  await recordApiUsage(ctx, client);
  return finish(ctx, def, tally, client.apiCalls);
}

/** The result: counts, backlog and error counts, also kept in `tandem.push_state` for status and stories. */
async function finish(ctx: ActivityContext, def: ObjectDefinition, tally: Tally, apiCalls: number): Promise<PushResult> {
  const now = ctx.now();
  const backlog = await backlogOf(ctx.db, def.name, now);
  const errors = await openErrorCount(ctx.db, def.name);
  const { rows } = await ctx.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM tandem.conflict_log c
      WHERE c.object = $1 AND c.logged_at > COALESCE((SELECT last_push_at FROM tandem.push_state WHERE object = $1), '-infinity')`,
    [def.name],
  );
  const result: PushResult = {
    object: def.name,
    rowsPushed: tally.pushed,
    rowsFailed: tally.failed,
    backlog: backlog.rows,
    apiCalls,
    oldestPendingSeconds: backlog.oldestSeconds,
    conflicts: Number(rows[0]?.n ?? 0),
    openErrors: errors,
    deletesNotPropagated: tally.deletesNotPropagated,
    linked: tally.linked,
    redirected: tally.redirected,
    ...(tally.interrupted && { interrupted: tally.interrupted }),
  };
  await ctx.db.query(
    `INSERT INTO tandem.push_state (object, last_push_at, last_result) VALUES ($1, now(), $2::jsonb)
     ON CONFLICT (object) DO UPDATE SET last_push_at = EXCLUDED.last_push_at, last_result = EXCLUDED.last_result`,
    [def.name, JSON.stringify(result)],
  );
  return result;
}

/** True when the row's edits belong to another record (handled by `redirectEdits`). */
function redirectTarget(plan: PushPlan, row: Record<string, unknown>): { sfid: string; why: string; mode: 'overwrite' | 'fill-blanks' } | null {
  const linked = row[PUSH_COLUMNS.linkedTo];
  if (typeof linked === 'string') return { sfid: linked, why: 'linked by email', mode: 'overwrite' };
  if (plan.def.name === 'Lead' && row.isconverted === true && typeof row.convertedcontactid === 'string') {
    return { sfid: row.convertedcontactid, why: 'the lead was converted', mode: 'overwrite' };
  }
  if (row.isdeleted === true && typeof row.masterrecordid === 'string') return { sfid: row.masterrecordid, why: 'merged in Salesforce', mode: 'fill-blanks' };
  return null;
}

/** The object of a record id, from its key prefix (salesforce-api.md §4). */
function objectOfId(id: string): string | null {
  switch (id.slice(0, 3)) {
    case '00Q':
      return 'Lead';
    case '003':
      return 'Contact';
    default:
      return null;
  }
}

/** A target record's local row, following merge masters (a contact merged after a conversion). */
async function targetRow(ctx: ActivityContext, sfid: string): Promise<{ object: string; state: ObjectState; row: Record<string, unknown> } | null> {
  let id = sfid;
  for (let hop = 0; hop < 5; hop++) {
    const object = objectOfId(id);
    if (!object) return null;
    const state = await readObjectState(ctx.db, object);
    if (!state) return null;
    const row = (await readRowsBySfid(ctx.db, ctx.config.database.schema, state.tableName, [id])).get(id);
    if (!row) return null;
    if (row.isdeleted === true && typeof row.masterrecordid === 'string') {
      id = row.masterrecordid;
      continue;
    }
    return { object, state, row };
  }
  return null;
}

/**
 * Applies the open edits of rows that stand for another record to that record's row, as a
 * marketing-side write (so its own capture pushes them): converted leads to their contact and rows
 * linked by email to their match (the edit wins), merge losers to their master (only into blanks: a
 * value beats an empty one). Rows whose target is not synced yet stay pending.
 */
async function redirectEdits(ctx: ActivityContext, plan: PushPlan, tally: Tally): Promise<void> {
  const conditions = [`t.${quoteIdentifier(PUSH_COLUMNS.linkedTo)} IS NOT NULL`];
  if (plan.byColumn.has('masterrecordid')) conditions.push(`(t.isdeleted AND t.masterrecordid IS NOT NULL)`);
  if (plan.def.name === 'Lead' && plan.byColumn.has('convertedcontactid')) conditions.push(`(t.isconverted AND t.convertedcontactid IS NOT NULL)`);
  const { rows } = await ctx.db.query<{ id: string }>(
    `SELECT DISTINCT t.id FROM tandem.outbox o JOIN ${qualifiedName(plan.schema, plan.table)} t ON t.id = o.row_id
      WHERE o.object = $1 AND o.status IN ('pending', 'failed') AND o.operation <> 'delete' AND (${conditions.join(' OR ')})`,
    [plan.def.name],
  );
  if (rows.length === 0) return;
  const ids = rows.map((r) => Number(r.id));
  const sources = await readRows(ctx.db, plan.schema, plan.table, ids);
  const entries = await openEntriesOf(ctx.db, plan.def.name, ids);
  for (const id of ids) {
    const row = sources.get(id);
    const target = row && redirectTarget(plan, row);
    if (!row || !target) continue;
    const found = await targetRow(ctx, target.sfid);
    if (!found) continue;
    const targetSpec = captureSpec(found.object, found.state.columns);
    const notUpdateable = new Set(targetSpec.notUpdateable.map(([c]) => c));
    const kinds = new Map(found.state.columns.map((c) => [c.column, c.kind]));
    const mine = entries.filter((e) => e.rowId === id);
    const columns = [...new Set(mine.flatMap((e) => Object.keys(e.changed)))].filter((c) => targetSpec.tracked.includes(c) && !notUpdateable.has(c));
    const values: Record<string, unknown> = {};
    if (target.mode === 'fill-blanks') Object.assign(values, fillBlanks(found.row, row, columns));
    else for (const c of columns) if (canonical(kinds.get(c)!, row[c]) !== canonical(kinds.get(c)!, found.row[c])) values[c] = row[c] ?? null;
    await withTransaction(ctx.db, async (tx) => {
      await writeColumns(tx, plan.schema, found.state.tableName, Number(found.row.id), values, { capture: true });
      const note = `${target.why}: edits applied to ${found.object} ${String(found.row.sfid)}${Object.keys(values).length === 0 ? ' (nothing to change there)' : ''}`;
      await closeEntries(tx, mine.map((e) => e.id), 'redirected', note);
      await tx.query(`UPDATE tandem.sync_error SET resolved_at = now(), resolution = $3 WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL`, [plan.def.name, id, note]);
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
async function foldMerges(ctx: ActivityContext, plan: PushPlan): Promise<void> {
  const table = qualifiedName(plan.schema, plan.table);
  const { rows } = await ctx.db.query<{ id: string; sfid: string; masterrecordid: string }>(
    `SELECT t.id, t.sfid, t.masterrecordid FROM ${table} t
      WHERE t.isdeleted AND t.masterrecordid IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM tandem.merge_applied m WHERE m.object = $1 AND m.loser_sfid = t.sfid)`,
    [plan.def.name],
  );
  if (rows.length === 0) return;
  const synced = new Set([...plan.byColumn.keys(), 'id', PUSH_COLUMNS.error, PUSH_COLUMNS.linkedTo, META_COLUMNS.copyId, META_COLUMNS.syncedAt]);
  const localOnly = [...(await existingColumns(ctx.db, plan.schema, plan.table)).keys()].filter((c) => !synced.has(c));
  const losers = await readRows(ctx.db, plan.schema, plan.table, rows.map((r) => Number(r.id)));
  for (const r of rows) {
    const master = await targetRow(ctx, r.masterrecordid);
    await withTransaction(ctx.db, async (tx) => {
      if (master && master.object === plan.def.name && localOnly.length > 0) {
        await writeColumns(tx, plan.schema, plan.table, Number(master.row.id), fillBlanks(master.row, losers.get(Number(r.id)) ?? {}, localOnly));
      }
      await tx.query(`INSERT INTO tandem.merge_applied (object, loser_sfid, master_sfid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [plan.def.name, r.sfid, r.masterrecordid]);
    });
  }
}

/** Collapses open entries per row into deletes, inserts and updates; closes what needs no call. */
async function collapse(ctx: ActivityContext, plan: PushPlan, entries: OutboxEntry[], tally: Tally): Promise<{ deletes: RowWork[]; inserts: RowWork[]; updates: RowWork[] }> {
  const byRow = new Map<number, OutboxEntry[]>();
  for (const e of entries) (byRow.get(e.rowId) ?? byRow.set(e.rowId, []).get(e.rowId)!).push(e);
  const rows = await readRows(ctx.db, plan.schema, plan.table, [...byRow.keys()]);
  const work = { deletes: [] as RowWork[], inserts: [] as RowWork[], updates: [] as RowWork[] };
  for (const [rowId, mine] of byRow) {
    const row = rows.get(rowId);
    const last = mine[mine.length - 1]!;
    const ids = mine.map((e) => e.id);
    if (last.operation === 'delete' || !row) {
      const sfid = mine.map((e) => e.sfid).filter((s): s is string => s !== null).pop() ?? (typeof row?.sfid === 'string' ? row.sfid : null);
      if (!sfid) await closeEntries(ctx.db, ids, 'superseded', 'deleted before it reached Salesforce');
      else if (plan.pushDeletes) work.deletes.push({ rowId, entries: mine, row: row ?? {}, sfid, send: {} });
      else {
        await closeEntries(ctx.db, ids, 'skipped', `deleted on the marketing side only: sync.pushDeletes.${plan.def.name} is off, so the Salesforce record stays (as Marketo)`);
        tally.deletesNotPropagated++;
      }
      continue;
    }
    if (redirectTarget(plan, row)) continue; // its target is not synced yet: stays pending
    const never = [...new Set(mine.flatMap((e) => Object.keys(e.changed)))].filter((c) => plan.neverPush.has(c));
    if (never.length > 0) await dropColumns(ctx.db, plan.def.name, rowId, never, 'not pushed: conflict rule never-push');
    const sfid = typeof row.sfid === 'string' ? row.sfid : null;
    if (!sfid) {
      const send: Record<string, unknown> = {};
      for (const c of plan.createable) if (!plan.neverPush.has(c) && row[c] !== null && row[c] !== undefined) send[c] = row[c];
      work.inserts.push({ rowId, entries: mine, row, sfid: null, send });
      continue;
    }
    if (row.isdeleted === true) {
      await withTransaction(ctx.db, (tx) =>
        recordSyncError(tx, plan.schema, plan.table, ids, {
          object: plan.def.name, rowId, sfid, operation: 'update', code: 'ENTITY_IS_DELETED',
          message: `${plan.def.name} ${sfid} was deleted in Salesforce; the marketing-side change cannot be applied`, fields: [],
        }),
      );
      tally.failed++;
      continue;
    }
    const send: Record<string, unknown> = {};
    for (const e of mine) for (const c of Object.keys(e.changed)) if (plan.updateable.has(c) && !plan.neverPush.has(c)) send[c] = row[c] ?? null;
    if (Object.keys(send).length === 0) {
      await closeEntries(ctx.db, ids, 'superseded', 'nothing left to send');
      continue;
    }
    work.updates.push({ rowId, entries: mine, row, sfid, send });
  }
  return work;
}

/**
 * Links new leads to the visible lead or contact with the same email (sync.dedupeLeadsByEmail) instead
 * of creating a duplicate: the local tables hold exactly what the sync user sees, refreshed by this
 * cycle's pull. The new row is marked with the record it was linked to and its values are applied to
 * that record's row (into a lead: the marketing values win, as Lead's rule; into a contact: only blanks).
 */
async function linkByEmail(ctx: ActivityContext, plan: PushPlan, inserts: RowWork[], tally: Tally): Promise<RowWork[]> {
  const emails = [...new Set(inserts.map((w) => w.row.email).filter((e): e is string => typeof e === 'string' && e.trim() !== '').map((e) => e.toLowerCase()))];
  if (emails.length === 0 || !plan.byColumn.has('email')) return inserts;
  const matches = new Map<string, string>();
  for (const object of ['Lead', 'Contact']) {
    const state = await readObjectState(ctx.db, object);
    if (!state) continue;
    const converted = object === 'Lead' ? 'AND isconverted IS NOT TRUE' : '';
    const { rows } = await ctx.db.query<{ email: string; sfid: string }>(
      `SELECT lower(email) AS email, sfid FROM ${qualifiedName(plan.schema, state.tableName)}
        WHERE lower(email) = ANY($1::text[]) AND sfid IS NOT NULL AND isdeleted IS NOT TRUE ${converted}
          AND ${quoteIdentifier(PUSH_COLUMNS.linkedTo)} IS NULL
        ORDER BY lastmodifieddate DESC NULLS LAST`,
      [emails],
    );
    for (const r of rows) if (!matches.has(r.email)) matches.set(r.email, r.sfid);
  }
  const remaining: RowWork[] = [];
  for (const w of inserts) {
    const match = typeof w.row.email === 'string' ? matches.get(w.row.email.toLowerCase()) : undefined;
    const found = match ? await targetRow(ctx, match) : null;
    if (!found) {
      remaining.push(w);
      continue;
    }
    const targetSpec = captureSpec(found.object, found.state.columns);
    const notUpdateable = new Set(targetSpec.notUpdateable.map(([c]) => c));
    const kinds = new Map(found.state.columns.map((c) => [c.column, c.kind]));
    const columns = Object.keys(w.send).filter((c) => targetSpec.tracked.includes(c) && !notUpdateable.has(c) && c !== plan.externalId?.column);
    const values: Record<string, unknown> = {};
    if (found.object === 'Contact') Object.assign(values, fillBlanks(found.row, w.row, columns));
    else for (const c of columns) if (canonical(kinds.get(c)!, w.row[c]) !== canonical(kinds.get(c)!, found.row[c])) values[c] = w.row[c];
    await withTransaction(ctx.db, async (tx) => {
      await writeColumns(tx, plan.schema, plan.table, w.rowId, { [PUSH_COLUMNS.linkedTo]: found.row.sfid });
      await writeColumns(tx, plan.schema, found.state.tableName, Number(found.row.id), values, { capture: true });
      await closeEntries(tx, w.entries.map((e) => e.id), 'linked', `not created: linked to ${found.object} ${String(found.row.sfid)} with the same email (sync.dedupeLeadsByEmail)`);
    });
    tally.linked++;
  }
  return remaining;
}

/**
 * Checks members' statuses against their campaign's CampaignMemberStatus labels (pulled into the local
 * table): a status the campaign does not have becomes a sync error saying so, instead of a failed call.
 * Campaigns with no statuses pulled yet are left to Salesforce's own check.
 */
async function checkMemberStatuses(ctx: ActivityContext, plan: PushPlan, work: RowWork[], operation: 'insert' | 'update', tally: Tally): Promise<RowWork[]> {
  const relevant = work.filter((w) => 'status' in w.send && typeof w.row.campaignid === 'string');
  if (relevant.length === 0) return work;
  const labels = await campaignStatuses(ctx, plan, [...new Set(relevant.map((w) => String(w.row.campaignid)))]);
  const ok: RowWork[] = [];
  for (const w of work) {
    const campaign = String(w.row.campaignid);
    const allowed = labels.get(campaign);
    const status = w.send.status;
    if (!('status' in w.send) || !allowed || allowed.length === 0 || status === null || allowed.includes(String(status))) {
      ok.push(w);
      continue;
    }
    await withTransaction(ctx.db, (tx) =>
      recordSyncError(tx, plan.schema, plan.table, w.entries.map((e) => e.id), {
        object: plan.def.name, rowId: w.rowId, sfid: w.sfid, operation, code: 'INVALID_CAMPAIGN_MEMBER_STATUS',
        message: memberStatusMessage(String(status), campaign, allowed), fields: ['Status'],
      }),
    );
    tally.failed++;
  }
  return ok;
}

function memberStatusMessage(status: string, campaign: string, allowed: readonly string[]): string {
  return `Status "${status}" is not a member status of campaign ${campaign} (its statuses: ${allowed.join(', ')}); add it to the campaign's member statuses in Salesforce, or use one of these`;
}

async function campaignStatuses(ctx: ActivityContext, plan: PushPlan, campaigns: readonly string[]): Promise<Map<string, string[]>> {
  const state = await readObjectState(ctx.db, 'CampaignMemberStatus');
  const labels = new Map<string, string[]>();
  if (!state) return labels;
  const { rows } = await ctx.db.query<{ campaignid: string; label: string }>(
    `SELECT campaignid, label FROM ${qualifiedName(plan.schema, state.tableName)}
      WHERE campaignid = ANY($1::text[]) AND isdeleted IS NOT TRUE ORDER BY campaignid, sortorder NULLS LAST, label`,
    [campaigns],
  );
  for (const r of rows) (labels.get(r.campaignid) ?? labels.set(r.campaignid, []).get(r.campaignid)!).push(r.label);
  return labels;
}

/**
 * Gives every insert its idempotency: with the external-id field, a key (a UUID) written to the row and
 * committed before the call — the upsert of a retry finds the record the first attempt created.
 * Without it, rows already sent once (attempts > 0, outcome unknown) are first looked up by their
 * natural key among records the sync user created, and adopted when found.
 */
async function prepareInserts(ctx: ActivityContext, client: SalesforceClient, plan: PushPlan, inserts: RowWork[], tally: Tally): Promise<RowWork[]> {
  if (inserts.length === 0) return inserts;
  if (plan.externalId) {
    const column = plan.externalId.column;
    const missing = inserts.filter((w) => isBlank(w.row[column])).map((w) => w.rowId);
    if (missing.length > 0) {
      const { rows } = await withTransaction(ctx.db, (tx) =>
        tx.query<{ id: string; key: string }>(
          `UPDATE ${qualifiedName(plan.schema, plan.table)} SET ${quoteIdentifier(column)} = gen_random_uuid()::text
            WHERE id = ANY($1::bigint[]) AND ${quoteIdentifier(column)} IS NULL RETURNING id, ${quoteIdentifier(column)} AS key`,
          [missing],
        ),
      );
      const keys = new Map(rows.map((r) => [Number(r.id), r.key]));
      for (const w of inserts) if (keys.has(w.rowId)) w.send[column] = w.row[column] = keys.get(w.rowId);
    }
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

/** Looks a record up by the object's natural key (objects/<object>.ts `insertKey`); returns its id when exactly one matches. */
async function findByInsertKey(client: SalesforceClient, plan: PushPlan, row: Record<string, unknown>, createdByMe: boolean): Promise<string | null> {
  const where: SoqlCondition[] = [];
  for (const field of plan.def.push?.insertKey ?? []) {
    const column = field.toLowerCase();
    if (!plan.byColumn.has(column)) continue;
    const value = row[column];
    where.push({ field, op: '=', value: value === undefined || value === null ? null : typeof value === 'number' || typeof value === 'boolean' ? value : String(value) });
  }
  if (where.length === 0) return null;
  const me = (client.conn as { userInfo?: { id?: string } }).userInfo?.id;
  if (createdByMe && me) where.push({ field: 'CreatedById', op: '=', value: me });
  const ids: string[] = [];
  for await (const page of queryPages(client, buildSelect({ object: plan.def.name, fields: ['Id'], where, limit: 2 }))) {
    for (const r of page.records) ids.push(String(r.Id));
  }
  return ids.length === 1 ? ids[0]! : null;
}

/** The Salesforce record for one row's work. */
function outgoing(plan: PushPlan, op: 'insert' | 'update', w: RowWork): OutgoingRecord {
  const record: OutgoingRecord = {};
  if (op === 'update') record.Id = w.sfid;
  for (const [column, value] of Object.entries(w.send)) record[plan.byColumn.get(column)!.field] = value ?? null;
  return record;
}

/**
 * Sends one operation's rows: one Bulk API 2.0 ingest job above `sync.bulkIngestThreshold` (inserts
 * only with the external id, which identifies each result row), else sObject Collections of 200. The
 * rows' attempts are committed before each call.
 */
async function send(ctx: ActivityContext, client: SalesforceClient, plan: PushPlan, op: 'insert' | 'update' | 'delete', work: RowWork[], tally: Tally): Promise<void> {
  if (work.length === 0 || tally.interrupted) return;
  const bulk = work.length > ctx.config.sync.bulkIngestThreshold && (op !== 'insert' || plan.externalId !== null);
  if (bulk) {
    await markAttempt(ctx.db, work.flatMap((w) => w.entries.map((e) => e.id)));
    try {
      await sendBulk(ctx, client, plan, op, work, tally);
    } catch (error) {
      await interrupted(ctx, work, error, tally);
    }
    return;
  }
  for (let i = 0; i < work.length; i += COLLECTION_LIMIT) {
    throwIfCancelled();
    const chunk = work.slice(i, i + COLLECTION_LIMIT);
    await markAttempt(ctx.db, chunk.flatMap((w) => w.entries.map((e) => e.id)));
    let results: RecordResult[];
    try {
      if (op === 'delete') results = await deleteRecords(client, chunk.map((w) => w.sfid!));
      else if (op === 'update') results = await updateRecords(client, plan.def.name, chunk.map((w) => outgoing(plan, op, w)));
      else if (plan.externalId) results = await upsertRecords(client, plan.def.name, plan.externalId.field, chunk.map((w) => outgoing(plan, op, w)));
      else results = await createRecords(client, plan.def.name, chunk.map((w) => outgoing(plan, op, w)));
    } catch (error) {
      await interrupted(ctx, work.slice(i), error, tally);
      return;
    }
    await applyResults(ctx, client, plan, op, chunk, results, tally);
    beat({ object: plan.def.name, op, rowsPushed: tally.pushed, rowsFailed: tally.failed });
  }
}

/** A whole call failed: transient → the rows stay pending and this object's push ends for this cycle; otherwise rethrow. */
async function interrupted(ctx: ActivityContext, rest: RowWork[], error: unknown, tally: Tally): Promise<void> {
  if (classify(error).kind === 'permanent') throw error;
  const message = `${errorCode(error) ?? 'ERROR'}: ${error instanceof Error ? error.message : String(error)}`;
  await retryEntries(ctx.db, rest.flatMap((w) => w.entries.map((e) => e.id)), message);
  tally.interrupted = message;
}

/** Bulk API 2.0 ingest of one operation's rows. */
async function sendBulk(ctx: ActivityContext, client: SalesforceClient, plan: PushPlan, op: 'insert' | 'update' | 'delete', work: RowWork[], tally: Tally): Promise<void> {
  const keyField = op === 'insert' ? plan.externalId!.field : 'Id';
  const fieldColumns = op === 'delete' ? [] : [...new Set(work.flatMap((w) => Object.keys(w.send)))].filter((c) => plan.byColumn.get(c)!.field !== keyField);
  const columns = [keyField, ...fieldColumns.map((c) => plan.byColumn.get(c)!.field)];
  const keyOf = (w: RowWork): string => (op === 'insert' ? String(w.send[plan.externalId!.column]) : w.sfid!);
  const rows = work.map((w) => [keyOf(w), ...fieldColumns.map((c) => (c in w.send ? w.send[c] : undefined))]);
  const outcome = await bulkIngest(client, {
    object: plan.def.name,
    operation: op === 'insert' ? 'upsert' : op,
    ...(op === 'insert' && { externalIdFieldName: keyField }),
    columns,
    rows,
    keyColumn: keyField,
    pollIntervalMs: ctx.config.sync.bulkPollIntervalMs,
    timeoutMs: ctx.config.sync.bulkJobTimeoutSeconds * 1000,
    onPoll: () => beat({ object: plan.def.name, op, bulk: true }),
  });
  const unprocessed: RecordResult = { success: false, id: null, errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: `not processed by Bulk job ${outcome.jobId}`, fields: [] }] };
  for (let i = 0; i < work.length; i += 1000) {
    const chunk = work.slice(i, i + 1000);
    await applyResults(ctx, client, plan, op, chunk, chunk.map((w) => outcome.results.get(keyOf(w)) ?? unprocessed), tally);
  }
}

/** Applies one call's per-record results in one transaction. */
async function applyResults(ctx: ActivityContext, client: SalesforceClient, plan: PushPlan, op: 'insert' | 'update' | 'delete', work: RowWork[], results: RecordResult[], tally: Tally): Promise<void> {
  const ok: { w: RowWork; r: RecordResult }[] = [];
  const retry: { w: RowWork; error: RecordError }[] = [];
  const failed: { w: RowWork; error: RecordError }[] = [];
  const adopt: { w: RowWork; id: string; note: string }[] = [];
  for (let i = 0; i < work.length; i++) {
    const w = work[i]!;
    const r = results[i] ?? { success: false, id: null, errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'no result returned for this record', fields: [] }] };
    if (r.success) {
      ok.push({ w, r });
      continue;
    }
    const error = r.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'failed without an error', fields: [] };
    if (op === 'delete' && (error.statusCode === 'ENTITY_IS_DELETED' || error.statusCode === 'INVALID_CROSS_REFERENCE_KEY')) {
      ok.push({ w, r: { success: true, id: w.sfid, errors: [] } }); // already gone from Salesforce
      continue;
    }
    if (op === 'insert' && error.statusCode === 'DUPLICATES_DETECTED' && plan.def.name === 'Lead' && ctx.config.sync.dedupeLeadsByEmail && error.duplicateIds?.[0]) {
      adopt.push({ w, id: error.duplicateIds[0], note: `linked to the existing Lead ${error.duplicateIds[0]} the duplicate rule matched (sync.dedupeLeadsByEmail)` });
      continue;
    }
    if (op === 'insert' && error.statusCode === 'DUPLICATE_VALUE' && plan.def.name === 'CampaignMember') {
      // Already a member (added in Salesforce, or by a lost first attempt): adopt it; the status follows as an update.
      const existing = await findByInsertKey(client, plan, w.row, false);
      if (existing) {
        adopt.push({ w, id: existing, note: `the person was already a member (${existing}); the status follows as an update` });
        continue;
      }
    }
    if (plan.def.name === 'CampaignMember' && error.statusCode === 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' && error.fields.includes('Status')) {
      const labels = (await campaignStatuses(ctx, plan, [String(w.row.campaignid)])).get(String(w.row.campaignid)) ?? [];
      failed.push({ w, error: { ...error, statusCode: 'INVALID_CAMPAIGN_MEMBER_STATUS', message: memberStatusMessage(String(w.row.status), String(w.row.campaignid), labels) } });
      continue;
    }
    (classifyRecordError(error.statusCode) === 'transient' ? retry : failed).push({ w, error });
  }
  await withTransaction(ctx.db, async (tx) => {
    await applySuccess(tx, plan, op, ok.map((o) => o.w), ok.map((o) => o.r), tally);
    for (const { w, error } of retry) await retryEntries(tx, w.entries.map((e) => e.id), `${error.statusCode}: ${error.message}`);
    for (const { w, error } of failed) {
      await recordSyncError(tx, plan.schema, plan.table, w.entries.map((e) => e.id), {
        object: plan.def.name, rowId: w.rowId, sfid: w.sfid, operation: op, code: error.statusCode, message: error.message, fields: error.fields,
      });
      tally.failed++;
    }
    for (const { w, id, note } of adopt) {
      const holder = await tx.query(`SELECT id FROM ${qualifiedName(plan.schema, plan.table)} WHERE sfid = $1`, [id]);
      if (holder.rowCount) {
        // The record is already a local row: link this one to it; its values follow as that row's edits.
        await writeColumns(tx, plan.schema, plan.table, w.rowId, { [PUSH_COLUMNS.linkedTo]: id });
        await tx.query(`UPDATE tandem.outbox SET note = $2 WHERE id = ANY($1::bigint[])`, [w.entries.map((e) => e.id), note]);
      } else {
        // Take the record's id; the entries stay pending and go out as an update next cycle.
        await writeColumns(tx, plan.schema, plan.table, w.rowId, { sfid: id });
        await tx.query(`UPDATE tandem.outbox SET sfid = $2, note = $3 WHERE id = ANY($1::bigint[])`, [w.entries.map((e) => e.id), id, note]);
      }
      tally.linked++;
    }
  });
}

/**
 * Records successes: entries pushed; inserts get their sfid (a local echo row of the same record — pulled
 * after a lost insert result — is removed first); the shadow of rows changed again meanwhile moves to
 * the values sent; open sync errors resolve.
 */
async function applySuccess(tx: pg.PoolClient, plan: PushPlan, op: 'insert' | 'update' | 'delete', work: RowWork[], results: RecordResult[], tally: Tally): Promise<void> {
  if (work.length === 0) return;
  const table = qualifiedName(plan.schema, plan.table);
  const sentIds = work.flatMap((w) => w.entries.map((e) => e.id));
  const rowIds = work.map((w) => w.rowId);
  if (op === 'insert') {
    for (let i = 0; i < work.length; i++) {
      const w = work[i]!;
      const sfid = results[i]!.id!;
      const echo = await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE sfid = $1 AND id <> $2`, [sfid, w.rowId]);
      const edited = echo.rows.length > 0 ? await openEntriesOf(tx, plan.def.name, echo.rows.map((e) => Number(e.id))) : [];
      if (edited.length > 0) {
        // The pulled copy of the record was already edited on the marketing side: it keeps the record,
        // and this row is linked to it (its later edits go there) rather than a second row claiming it.
        await writeColumns(tx, plan.schema, plan.table, w.rowId, { [PUSH_COLUMNS.linkedTo]: sfid });
        await closeEntries(tx, w.entries.map((e) => e.id), 'linked', `in Salesforce as ${sfid}, which local row ${edited[0]!.rowId} already holds: linked to it`, sfid);
        continue;
      }
      // A pulled copy of the record (the echo of an insert whose result was lost) gives way to this row.
      if (echo.rows.length > 0) await tx.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [echo.rows.map((e) => Number(e.id))]);
      await tx.query(`UPDATE ${table} SET sfid = $2 WHERE id = $1`, [w.rowId, sfid]);
      await closeEntries(tx, w.entries.map((e) => e.id), 'pushed', results[i]!.created === false ? 'created by an earlier attempt: matched by its key, not duplicated' : 'created', sfid);
    }
  } else {
    await closeEntries(tx, sentIds, 'pushed', op === 'delete' ? 'deleted in Salesforce' : 'updated');
  }
  tally.pushed += work.length;
  if (op === 'delete') return;
  // Rows changed again since they were read keep a shadow: the values just sent are what both agree on now.
  const newer = await tx.query<{ row_id: string; columns: string[] }>(
    `SELECT row_id, array_agg(DISTINCT k) AS columns FROM tandem.outbox o, jsonb_object_keys(o.changed) k
      WHERE o.object = $1 AND o.row_id = ANY($2::bigint[]) AND o.status IN ('pending', 'failed') AND NOT (o.id = ANY($3::bigint[]))
      GROUP BY row_id`,
    [plan.def.name, rowIds, sentIds],
  );
  const again = new Map(newer.rows.map((r) => [Number(r.row_id), r.columns]));
  const shadows = again.size > 0 ? await readShadow(tx, plan.def.name, [...again.keys()]) : new Map<number, Record<string, unknown>>();
  for (const w of work) {
    const columns = again.get(w.rowId);
    if (!columns) continue;
    const old = shadows.get(w.rowId) ?? {};
    const base: Record<string, unknown> = {};
    for (const c of columns) base[c] = c in w.send ? w.send[c] : c in old ? old[c] : null;
    await saveShadow(tx, plan.def.name, w.rowId, base);
  }
  const settled = rowIds.filter((id) => !again.has(id));
  await tx.query(`DELETE FROM tandem.shadow WHERE object = $1 AND row_id = ANY($2::bigint[])`, [plan.def.name, settled]);
  const resolved = await tx.query<{ row_id: string }>(
    `UPDATE tandem.sync_error SET resolved_at = now(), resolution = 'pushed' WHERE object = $1 AND row_id = ANY($2::bigint[]) AND resolved_at IS NULL RETURNING row_id`,
    [plan.def.name, rowIds],
  );
  if (resolved.rowCount) {
    await tx.query(`UPDATE ${table} SET ${quoteIdentifier(PUSH_COLUMNS.error)} = NULL WHERE id = ANY($1::bigint[])`, [resolved.rows.map((r) => Number(r.row_id))]);
  }
}
