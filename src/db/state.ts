/**
 * Tandem's per-object sync state in schema `tandem`: columns and describe time, watermark, delete
 * coverage, copy checkpoints and the last API usage seen. Functions take a client so callers can put a
 * state change in the same transaction as the rows it describes (rows first, then the watermark).
 */
import type pg from 'pg';
import type { CopyReason } from '../shared';
import type { ColumnSpec } from '../sync/type-mapping';
import type { ApiUsage } from '../sync/api-budget';

type Db = pg.Pool | pg.PoolClient;

/** One row of `tandem.sync_object`. */
export interface ObjectState {
  object: string;
  tableName: string;
  columns: ColumnSpec[];
  describedAt: Date;
  /** True when getDeleted applies (the object is deletable and replicateable). */
  getDeleted: boolean;
  watermark: Date | null;
  deletesCoveredUntil: Date | null;
  copyCompletedAt: Date | null;
  needsCopyReason: CopyReason | null;
}

/** One row of `tandem.copy_checkpoint`. */
export interface CopyCheckpoint {
  object: string;
  copyId: number;
  reason: CopyReason;
  startedAt: Date;
  mode: 'bulk' | 'rest' | null;
  jobId: string | null;
  locator: string | null;
  lastId: string | null;
  pagesCopied: number;
  rowsCopied: number;
  totalRows: number | null;
  done: boolean;
}

/** Reads the state of the given objects (all when omitted), keyed by object name. */
export async function readObjectStates(db: Db, objects?: readonly string[]): Promise<Map<string, ObjectState>> {
  const { rows } = await db.query(
    `SELECT object, table_name, columns, described_at, get_deleted, watermark, deletes_covered_until, copy_completed_at, needs_copy_reason
       FROM tandem.sync_object ${objects ? 'WHERE object = ANY($1::text[])' : ''}`,
    objects ? [objects] : [],
  );
  return new Map(
    rows.map((r) => [
      r.object as string,
      {
        object: r.object,
        tableName: r.table_name,
        columns: r.columns as ColumnSpec[],
        describedAt: r.described_at,
        getDeleted: r.get_deleted,
        watermark: r.watermark,
        deletesCoveredUntil: r.deletes_covered_until,
        copyCompletedAt: r.copy_completed_at,
        needsCopyReason: r.needs_copy_reason,
      } satisfies ObjectState,
    ]),
  );
}

/** Reads one object's state, or null when the object was never described. */
export async function readObjectState(db: Db, object: string): Promise<ObjectState | null> {
  return (await readObjectStates(db, [object])).get(object) ?? null;
}

/** Records the columns from a fresh describe (creating the state row when needed). */
export async function saveDescribe(
  db: Db,
  object: string,
  tableName: string,
  columns: readonly ColumnSpec[],
  describedAt: Date,
  getDeleted: boolean,
): Promise<void> {
  await db.query(
    `INSERT INTO tandem.sync_object (object, table_name, columns, described_at, get_deleted)
     VALUES ($1, $2, $3::jsonb, $4, $5)
     ON CONFLICT (object) DO UPDATE SET table_name = EXCLUDED.table_name, columns = EXCLUDED.columns,
       described_at = EXCLUDED.described_at, get_deleted = EXCLUDED.get_deleted, updated_at = now()`,
    [object, tableName, JSON.stringify(columns), describedAt, getDeleted],
  );
}

/** Commits a pull's progress: the watermark (never moved backwards) and the pull time. */
export async function saveWatermark(db: Db, object: string, watermark: Date, pulledAt: Date): Promise<void> {
  await db.query(
    `UPDATE tandem.sync_object SET watermark = GREATEST(watermark, $2), last_pull_at = $3, updated_at = now() WHERE object = $1`,
    [object, watermark, pulledAt],
  );
}

/** Records that getDeleted has been applied up to `coveredUntil`. */
export async function saveDeletesCovered(db: Db, object: string, coveredUntil: Date): Promise<void> {
  await db.query(
    `UPDATE tandem.sync_object SET deletes_covered_until = GREATEST(deletes_covered_until, $2), updated_at = now() WHERE object = $1`,
    [object, coveredUntil],
  );
}

/** Flags an object for a full copy (a pull found it cannot catch up incrementally). */
export async function flagNeedsCopy(db: Db, object: string, reason: CopyReason): Promise<void> {
  await db.query(`UPDATE tandem.sync_object SET needs_copy_reason = $2, updated_at = now() WHERE object = $1`, [
    object,
    reason,
  ]);
}

/** Marks a full copy complete: the watermark and delete coverage restart from the copy's start minus the overlap. */
export async function completeCopyState(db: Db, object: string, watermark: Date, completedAt: Date): Promise<void> {
  await db.query(
    `UPDATE tandem.sync_object
        SET watermark = $2, deletes_covered_until = $2, copy_completed_at = $3, needs_copy_reason = NULL, updated_at = now()
      WHERE object = $1`,
    [object, watermark, completedAt],
  );
  await db.query(`UPDATE tandem.copy_checkpoint SET done = true, updated_at = now() WHERE object = $1`, [object]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pg row, typed by the SELECT above
function toCheckpoint(r: Record<string, any>): CopyCheckpoint {
  return {
    object: r.object,
    copyId: Number(r.copy_id),
    reason: r.reason,
    startedAt: r.started_at,
    mode: r.mode,
    jobId: r.job_id,
    locator: r.locator,
    lastId: r.last_id,
    pagesCopied: r.pages_copied,
    rowsCopied: Number(r.rows_copied),
    totalRows: r.total_rows === null ? null : Number(r.total_rows),
    done: r.done,
  };
}

/** Starts a new copy of `object`: a fresh copy id, zero progress, the given start time. */
export async function resetCopyCheckpoint(
  db: Db,
  object: string,
  reason: CopyReason,
  startedAt: Date,
): Promise<CopyCheckpoint> {
  const { rows } = await db.query(
    `INSERT INTO tandem.copy_checkpoint (object, copy_id, reason, started_at)
     VALUES ($1, nextval('tandem.copy_id_seq'), $2, $3)
     ON CONFLICT (object) DO UPDATE SET copy_id = EXCLUDED.copy_id, reason = EXCLUDED.reason, started_at = EXCLUDED.started_at,
       mode = NULL, job_id = NULL, locator = NULL, last_id = NULL, pages_copied = 0, rows_copied = 0, total_rows = NULL,
       done = false, updated_at = now()
     RETURNING *`,
    [object, reason, startedAt],
  );
  return toCheckpoint(rows[0]);
}

/** Reads an object's copy checkpoint, or null when it was never copied. */
export async function readCopyCheckpoint(db: Db, object: string): Promise<CopyCheckpoint | null> {
  const { rows } = await db.query(`SELECT * FROM tandem.copy_checkpoint WHERE object = $1`, [object]);
  return rows[0] ? toCheckpoint(rows[0]) : null;
}

/** Records the copy mode chosen on the first page call (and the Bulk job, when any). */
export async function saveCopyMode(
  db: Db,
  object: string,
  mode: 'bulk' | 'rest',
  jobId: string | null,
  totalRows: number | null,
): Promise<void> {
  await db.query(
    `UPDATE tandem.copy_checkpoint SET mode = $2, job_id = $3, locator = NULL, total_rows = $4, updated_at = now() WHERE object = $1`,
    [object, mode, jobId, totalRows],
  );
}

/** Forgets the copy mode and cursor so the next call starts a new job (rows already copied stay). */
export async function clearCopyMode(db: Db, object: string): Promise<void> {
  await db.query(
    `UPDATE tandem.copy_checkpoint SET mode = NULL, job_id = NULL, locator = NULL, last_id = NULL, updated_at = now() WHERE object = $1`,
    [object],
  );
}

/** Advances the checkpoint after one page, in the page's transaction. */
export async function advanceCopyCheckpoint(
  db: Db,
  object: string,
  cursor: { locator?: string | null; lastId?: string | null },
  rows: number,
): Promise<void> {
  await db.query(
    `UPDATE tandem.copy_checkpoint
        SET locator = CASE WHEN $2 THEN $3 ELSE locator END,
            last_id = CASE WHEN $4 THEN $5 ELSE last_id END,
            pages_copied = pages_copied + 1, rows_copied = rows_copied + $6, updated_at = now()
      WHERE object = $1`,
    [object, 'locator' in cursor, cursor.locator ?? null, 'lastId' in cursor, cursor.lastId ?? null, rows],
  );
}

/** Stores the latest daily API usage Salesforce reported. */
export async function saveApiUsage(db: Db, usage: ApiUsage, observedAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO tandem.api_usage (singleton, used, daily_limit, observed_at) VALUES (true, $1, $2, $3)
     ON CONFLICT (singleton) DO UPDATE SET used = EXCLUDED.used, daily_limit = EXCLUDED.daily_limit, observed_at = EXCLUDED.observed_at
     WHERE tandem.api_usage.observed_at <= EXCLUDED.observed_at`,
    [usage.used, usage.limit, observedAt],
  );
}

/** Reads the latest stored API usage, or null when none was recorded yet. */
export async function readApiUsage(db: Db): Promise<(ApiUsage & { observedAt: Date }) | null> {
  const { rows } = await db.query(`SELECT used, daily_limit, observed_at FROM tandem.api_usage`);
  return rows[0] ? { used: rows[0].used, limit: rows[0].daily_limit, observedAt: rows[0].observed_at } : null;
}
