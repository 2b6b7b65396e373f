/**
 * `tandem.outbox`: the marketing-side changes the capture trigger (src/db/capture-triggers.ts) records,
 * and their push status. Read and closed by the push (src/push/) and by the pull's merge of rows with
 * pending changes (src/activities/pending-merge.ts).
 */
import type pg from 'pg';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { pruneShadow } from './shadow';

type Db = pg.Pool | pg.PoolClient;

/** One open outbox entry. */
export interface OutboxEntry {
  id: number;
  rowId: number;
  sfid: string | null;
  operation: 'insert' | 'update' | 'delete';
  changed: Record<string, unknown>;
  previous: Record<string, unknown>;
  capturedAt: Date;
  status: 'pending' | 'failed';
  attempts: number;
  /** When the entry was first sent (Salesforce's clock), null until then. */
  firstSentAt: Date | null;
  /** The Id of the user that first sent it, when known. */
  sentBy: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pg row, typed by the SELECT
function toEntry(r: Record<string, any>): OutboxEntry {
  return {
    id: Number(r.id),
    rowId: Number(r.row_id),
    sfid: r.sfid,
    operation: r.operation,
    changed: r.changed,
    previous: r.previous,
    capturedAt: r.captured_at,
    status: r.status,
    attempts: r.attempts,
    firstSentAt: r.first_sent_at ?? null,
    sentBy: r.sent_by ?? null,
  };
}

/**
 * The open entries (pending, and failed ones to re-drive with them) of up to `limit` rows of `object`
 * that have at least one pending entry, oldest first.
 */
export async function openEntries(db: Db, object: string, limit: number): Promise<OutboxEntry[]> {
  // One pass over the open-entries index with window functions: a join back to the outbox would be
  // planned as a nested loop over a freshly filled table (no statistics yet) — quadratic in the backlog.
  const { rows } = await db.query(
    `WITH open AS (
       SELECT o.*, min(o.id) OVER w AS first, bool_or(o.status = 'pending') OVER w AS has_pending
         FROM tandem.outbox o
        WHERE o.object = $1 AND o.status IN ('pending', 'failed')
       WINDOW w AS (PARTITION BY o.row_id)
     ), ranked AS (
       SELECT *, dense_rank() OVER (ORDER BY first) AS row_rank FROM open WHERE has_pending
     )
     SELECT * FROM ranked WHERE row_rank <= $2 ORDER BY first, id`,
    [object, limit],
  );
  return rows.map(toEntry);
}

/** The open entries of the given rows (for the pull's merge and for redirects). */
export async function openEntriesOf(db: Db, object: string, rowIds: readonly number[]): Promise<OutboxEntry[]> {
  if (rowIds.length === 0) return [];
  const { rows } = await db.query(
    `SELECT * FROM tandem.outbox WHERE object = $1 AND row_id = ANY($2::bigint[]) AND status IN ('pending', 'failed') ORDER BY id`,
    [object, rowIds],
  );
  return rows.map(toEntry);
}

/** Which of the given rows were inserted on the marketing side (have an insert entry): never a pull's copy. */
export async function rowsInsertedLocally(db: Db, object: string, rowIds: readonly number[]): Promise<Set<number>> {
  if (rowIds.length === 0) return new Set();
  const { rows } = await db.query<{ row_id: string }>(
    `SELECT DISTINCT row_id FROM tandem.outbox WHERE object = $1 AND row_id = ANY($2::bigint[]) AND operation = 'insert'`,
    [object, rowIds],
  );
  return new Set(rows.map((r) => Number(r.row_id)));
}

/** Ids of rows of `object` with open non-delete entries (the rows a pull must merge rather than overwrite). */
export async function rowsWithOpenChanges(db: Db, object: string): Promise<number[]> {
  const { rows } = await db.query<{ row_id: string }>(
    `SELECT DISTINCT row_id FROM tandem.outbox WHERE object = $1 AND status IN ('pending', 'failed') AND operation <> 'delete'`,
    [object],
  );
  return rows.map((r) => Number(r.row_id));
}

/**
 * Closes entries: `status` with a note; `pushed` ones also record the Salesforce id. Entries closed
 * without a push take their columns' base out of the shadow (`pruneShadow`); the push moves the
 * shadow of what it sent itself (src/push/record-results.ts).
 */
export async function closeEntries(
  db: Db,
  ids: readonly number[],
  status: 'pushed' | 'superseded' | 'skipped' | 'redirected' | 'linked',
  note: string | null,
  sfid?: string | null,
): Promise<void> {
  if (ids.length === 0) return;
  const { rows } = await db.query<{ object: string; row_id: string }>(
    `UPDATE tandem.outbox SET status = $2, note = COALESCE($3, note), done_at = now(), sfid = COALESCE(sfid, $4)
      WHERE id = ANY($1::bigint[]) RETURNING object, row_id`,
    [ids, status, note, sfid ?? null],
  );
  if (status === 'pushed') return;
  const byObject = new Map<string, Set<number>>();
  for (const r of rows)
    (byObject.get(r.object) ?? byObject.set(r.object, new Set()).get(r.object)!).add(Number(r.row_id));
  for (const [object, rowIds] of byObject) await pruneShadow(db, object, [...rowIds]);
}

/** Records a transient failure: the entries stay pending for the next cycle. */
export async function retryEntries(db: Db, ids: readonly number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE tandem.outbox SET status = 'pending', last_error = $2 WHERE id = ANY($1::bigint[])`, [
    ids,
    error,
  ]);
}

/**
 * Counts one send of the entries, committed before the Salesforce call, and keeps the first send's time
 * and user: a retried insert whose first attempt's outcome was lost (attempts > 0, still open) knows to
 * look for a record that user created since then.
 */
export async function markAttempt(db: Db, ids: readonly number[], sentAt: Date, sentBy: string | null): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE tandem.outbox SET attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, $2), sent_by = COALESCE(sent_by, $3)
      WHERE id = ANY($1::bigint[])`,
    [ids, sentAt, sentBy],
  );
}

/** Those of `sfids` that an earlier insert of `object` already created or adopted (closed with that id). */
export async function sfidsClaimedByInserts(db: Db, object: string, sfids: readonly string[]): Promise<Set<string>> {
  if (sfids.length === 0) return new Set();
  const { rows } = await db.query<{ sfid: string }>(
    `SELECT DISTINCT sfid FROM tandem.outbox WHERE object = $1 AND operation = 'insert' AND status IN ('pushed', 'linked') AND sfid = ANY($2::text[])`,
    [object, sfids],
  );
  return new Set(rows.map((r) => r.sfid));
}

/** Removes columns from open entries of a row (Salesforce won them, or they are never pushed); empty updates are closed. */
export async function dropColumns(
  db: Db,
  object: string,
  rowId: number,
  columns: readonly string[],
  note: string,
): Promise<void> {
  if (columns.length === 0) return;
  await db.query(
    `UPDATE tandem.outbox SET changed = changed - $3::text[],
            status = CASE WHEN operation = 'update' AND (changed - $3::text[]) = '{}'::jsonb THEN 'superseded' ELSE status END,
            done_at = CASE WHEN operation = 'update' AND (changed - $3::text[]) = '{}'::jsonb THEN now() ELSE done_at END,
            note = CASE WHEN operation = 'update' AND (changed - $3::text[]) = '{}'::jsonb THEN $4 ELSE note END
      WHERE object = $1 AND row_id = $2 AND status IN ('pending', 'failed') AND changed ?| $3::text[]`,
    [object, rowId, columns, note],
  );
  await pruneShadow(db, object, [rowId]);
}

/** Re-drives every failed entry of `object` (on resync): they are pushed again next cycle. Returns how many. */
export async function redriveFailed(db: Db, object: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE tandem.outbox SET status = 'pending', note = 're-driven by resync' WHERE object = $1 AND status = 'failed'`,
    [object],
  );
  return rowCount ?? 0;
}

/** Backlog of one object: rows with pending changes and the age of the oldest. */
export async function backlogOf(
  db: Db,
  object: string,
  now: Date,
): Promise<{ rows: number; oldestSeconds: number | null }> {
  const { rows } = await db.query<{ rows: string; oldest: Date | null }>(
    `SELECT count(DISTINCT row_id) AS rows, min(captured_at) AS oldest FROM tandem.outbox WHERE object = $1 AND status = 'pending'`,
    [object],
  );
  const oldest = rows[0]?.oldest ?? null;
  return {
    rows: Number(rows[0]?.rows ?? 0),
    oldestSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : null,
  };
}

/** True when `object` has a marketing-side delete of a Salesforce record captured at or after `since`. */
export async function hasDeleteCapturedSince(db: Db, object: string, since: Date): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM tandem.outbox WHERE object = $1 AND operation = 'delete' AND sfid IS NOT NULL AND captured_at >= $2 LIMIT 1`,
    [object, since],
  );
  return rows.length > 0;
}

/**
 * Deletes again the rows of `object` a pull brought back although marketing deleted them since `since`:
 * the record was not changed in Salesforce after the delete (or the delete was pushed and Salesforce's
 * delete came back), and the row has no outbox entry of its own.
 */
export async function buryResurrectedRows(
  db: Db,
  schema: string,
  table: string,
  object: string,
  since: Date,
): Promise<void> {
  await db.query(
    `DELETE FROM ${qualifiedName(schema, table)} t USING tandem.outbox o
      WHERE o.object = $1 AND o.operation = 'delete' AND o.sfid IS NOT NULL AND o.captured_at >= $2 AND t.sfid = o.sfid
        AND (t.systemmodstamp <= o.captured_at OR (o.status = 'pushed' AND t.isdeleted IS TRUE))
        AND NOT EXISTS (SELECT 1 FROM tandem.outbox n WHERE n.object = o.object AND n.row_id = t.id)`,
    [object, since],
  );
}

/**
 * Rows of `object` with open non-delete entries whose row holds another record's id in one of
 * `holders`: a `target` column that is set, when its `flag` column (if any) is true.
 */
export async function rowsWithOpenEditsHolding(
  db: Db,
  schema: string,
  table: string,
  object: string,
  holders: readonly { flag?: string; target: string }[],
): Promise<number[]> {
  if (holders.length === 0) return [];
  const conditions = holders.map((h) =>
    h.flag
      ? `(t.${quoteIdentifier(h.flag)} AND t.${quoteIdentifier(h.target)} IS NOT NULL)`
      : `t.${quoteIdentifier(h.target)} IS NOT NULL`,
  );
  const { rows } = await db.query<{ id: string }>(
    `SELECT DISTINCT t.id FROM tandem.outbox o JOIN ${qualifiedName(schema, table)} t ON t.id = o.row_id
      WHERE o.object = $1 AND o.status IN ('pending', 'failed') AND o.operation <> 'delete' AND (${conditions.join(' OR ')})`,
    [object],
  );
  return rows.map((r) => Number(r.id));
}

/** Sets the note of entries, and their Salesforce id when given (a record adopted for them). */
export async function noteEntries(db: Db, ids: readonly number[], note: string, sfid?: string): Promise<void> {
  if (sfid === undefined)
    await db.query(`UPDATE tandem.outbox SET note = $2 WHERE id = ANY($1::bigint[])`, [ids, note]);
  else await db.query(`UPDATE tandem.outbox SET sfid = $2, note = $3 WHERE id = ANY($1::bigint[])`, [ids, sfid, note]);
}

/** Per row of `rowIds`, the columns of its open entries other than `exceptIds` (changes made since those were read). */
export async function columnsChangedAgain(
  db: Db,
  object: string,
  rowIds: readonly number[],
  exceptIds: readonly number[],
): Promise<Map<number, string[]>> {
  const { rows } = await db.query<{ row_id: string; columns: string[] }>(
    `SELECT row_id, array_agg(DISTINCT k) AS columns FROM tandem.outbox o, jsonb_object_keys(o.changed) k
      WHERE o.object = $1 AND o.row_id = ANY($2::bigint[]) AND o.status IN ('pending', 'failed') AND NOT (o.id = ANY($3::bigint[]))
      GROUP BY row_id`,
    [object, rowIds, exceptIds],
  );
  return new Map(rows.map((r) => [Number(r.row_id), r.columns]));
}
