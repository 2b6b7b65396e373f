/**
 * Read-only reports on the push side for operators: the open (or all) sync errors, and one record's
 * story — the row as it is, its outbox history, its sync errors, its conflicts, when it was last pulled
 * and last pushed. Used by the CLI's `tandem errors`, `tandem why` and `tandem conflicts`.
 */
import type pg from 'pg';
import { qualifiedName } from './identifiers';
import type { ConflictLogInput } from './conflict-log';
import type { SyncErrorInput } from './sync-errors';
import { readObjectState } from './state';
import { META_COLUMNS } from './tables';

/** One sync error as listed: what the push recorded (outbox.ts), and its history. */
export type SyncErrorRow = SyncErrorInput & {
  id: number;
  firstSeen: Date;
  lastSeen: Date;
  attempts: number;
  resolvedAt: Date | null;
  resolution: string | null;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pg row, typed by the SELECT
function toSyncError(r: Record<string, any>): SyncErrorRow {
  return {
    id: Number(r.id),
    object: r.object,
    rowId: Number(r.row_id),
    sfid: r.sfid,
    operation: r.operation,
    code: r.code,
    message: r.message,
    fields: r.fields,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    attempts: r.attempts,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
  };
}

/** One logged conflict: what was logged, and when. */
export type ConflictRow = Omit<ConflictLogInput, 'marketingChangedAt' | 'salesforceChangedAt'> & { loggedAt: Date };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pg row, typed by the SELECT
function toConflict(c: Record<string, any>): ConflictRow {
  return {
    object: c.object,
    rowId: Number(c.row_id),
    sfid: c.sfid,
    field: c.field,
    base: c.base_value,
    marketing: c.marketing_value,
    salesforce: c.salesforce_value,
    winner: c.winner,
    rule: c.rule,
    loggedAt: c.logged_at,
  };
}

/** Logged conflicts, newest first, optionally of one object. */
export async function listConflicts(
  db: pg.Pool,
  options: { object?: string; limit?: number } = {},
): Promise<ConflictRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM tandem.conflict_log WHERE ($1::text IS NULL OR object = $1) ORDER BY logged_at DESC, id DESC LIMIT $2`,
    [options.object ?? null, options.limit ?? 100],
  );
  return rows.map(toConflict);
}

/** Sync errors, newest first: open ones only unless `all`, optionally of one object. */
export async function listSyncErrors(
  db: pg.Pool,
  options: { object?: string; all?: boolean; limit?: number } = {},
): Promise<SyncErrorRow[]> {
  // Pull-side quarantined records (tandem.pull_quarantine) are listed with them, as VALUE_NOT_STORABLE
  // with no local row (row 0): the record could not be stored.
  const { rows } = await db.query(
    `SELECT * FROM (
       SELECT id, object, row_id, sfid, operation, code, message, fields, first_seen, last_seen, attempts, resolved_at, resolution FROM tandem.sync_error
       UNION ALL
       SELECT id, object, 0, sfid, operation, 'VALUE_NOT_STORABLE', value || ': ' || reason || ' (record skipped; stored once Salesforce changes it, or on resync)',
              ARRAY[field], first_seen, last_seen, attempts, resolved_at, resolution FROM tandem.pull_quarantine
     ) e
      WHERE ($1::text IS NULL OR object = $1) AND ($2 OR resolved_at IS NULL)
      ORDER BY last_seen DESC, id DESC LIMIT $3`,
    [options.object ?? null, options.all ?? false, options.limit ?? 100],
  );
  return rows.map(toSyncError);
}

/** Thrown when a story is asked for a record Tandem does not know; the message names what was looked for. */
export class UnknownRecordError extends Error {
  override readonly name = 'UnknownRecordError';
}

/** Everything Tandem knows about one record. */
export interface RecordStory {
  object: string;
  rowId: number;
  sfid: string | null;
  /** The row now (null when it was deleted locally). */
  row: Record<string, unknown> | null;
  lastPulledAt: Date | null;
  lastPushedAt: Date | null;
  outbox: {
    id: number;
    operation: string;
    changed: Record<string, unknown>;
    capturedAt: Date;
    status: string;
    attempts: number;
    lastError: string | null;
    note: string | null;
    doneAt: Date | null;
  }[];
  errors: SyncErrorRow[];
  conflicts: ConflictRow[];
  /** The object's latest push (tandem.push_state). */
  lastObjectPush: { at: Date; result: Record<string, unknown> } | null;
}

/**
 * The story of one record of `object`, found by local row id (digits) or Salesforce id. Throws
 * UnknownRecordError when neither the table nor the outbox knows it.
 */
export async function recordStory(db: pg.Pool, schema: string, object: string, key: string): Promise<RecordStory> {
  const state = await readObjectState(db, object);
  if (!state)
    throw new UnknownRecordError(
      `${object} is not synced yet (no tandem.sync_object row); synced objects appear after their first copy`,
    );
  const table = qualifiedName(schema, state.tableName);
  const byRowId = /^\d+$/.test(key);
  const found = await db.query<{ r: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS r FROM ${table} t WHERE ${byRowId ? 't.id = $1::bigint' : 't.sfid = $1'}`,
    [key],
  );
  let row: Record<string, unknown> | null = found.rows[0]?.r ?? null;
  let rowId = row ? Number(row.id) : null;
  let sfid = row ? ((row.sfid as string | null) ?? null) : byRowId ? null : key;
  if (rowId === null) {
    // Deleted locally: the outbox still knows it.
    const o = await db.query<{ row_id: string; sfid: string | null }>(
      `SELECT row_id, sfid FROM tandem.outbox WHERE object = $1 AND ${byRowId ? 'row_id = $2::bigint' : 'sfid = $2'} ORDER BY id DESC LIMIT 1`,
      [object, key],
    );
    if (!o.rows[0])
      throw new UnknownRecordError(
        `No ${object} with ${byRowId ? 'row id' : 'Salesforce id'} ${key} in ${schema}.${state.tableName} or tandem.outbox`,
      );
    rowId = Number(o.rows[0].row_id);
    sfid = o.rows[0].sfid ?? sfid;
    row = null;
  }
  const outbox = await db.query(`SELECT * FROM tandem.outbox WHERE object = $1 AND row_id = $2 ORDER BY id`, [
    object,
    rowId,
  ]);
  const errors = await db.query(`SELECT * FROM tandem.sync_error WHERE object = $1 AND row_id = $2 ORDER BY id`, [
    object,
    rowId,
  ]);
  const conflicts = await db.query(`SELECT * FROM tandem.conflict_log WHERE object = $1 AND row_id = $2 ORDER BY id`, [
    object,
    rowId,
  ]);
  const push = await db.query(`SELECT last_push_at, last_result FROM tandem.push_state WHERE object = $1`, [object]);
  const pushed = outbox.rows.filter((o) => o.status === 'pushed' && o.done_at).map((o) => o.done_at as Date);
  return {
    object,
    rowId,
    sfid,
    row,
    lastPulledAt: row && row[META_COLUMNS.syncedAt] ? new Date(String(row[META_COLUMNS.syncedAt])) : null,
    lastPushedAt: pushed.length > 0 ? pushed[pushed.length - 1]! : null,
    outbox: outbox.rows.map((o) => ({
      id: Number(o.id),
      operation: o.operation,
      changed: o.changed,
      capturedAt: o.captured_at,
      status: o.status,
      attempts: o.attempts,
      lastError: o.last_error,
      note: o.note,
      doneAt: o.done_at,
    })),
    errors: errors.rows.map(toSyncError),
    conflicts: conflicts.rows.map(toConflict),
    lastObjectPush: push.rows[0] ? { at: push.rows[0].last_push_at, result: push.rows[0].last_result } : null,
  };
}
