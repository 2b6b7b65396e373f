/**
 * `tandem.not_visible`: records whose rows were live when they left the sync user's visibility (src/activities/visibility.ts),
 * and the per-object time of the last visibility sweep.
 */
import type pg from 'pg';
import { applyDeletes } from './copy';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { META_COLUMNS } from './tables';
import { DELETED_COLUMN } from '../sync/type-mapping';

type Db = pg.Pool | pg.PoolClient;

/** The sfids of live rows of the table not written since `before` (PostgreSQL's clock): the ones a sweep checks. */
export async function liveRowsNotSeenSince(db: Db, schema: string, table: string, before: Date): Promise<string[]> {
  const { rows } = await db.query<{ sfid: string }>(
    `SELECT "sfid" FROM ${qualifiedName(schema, table)}
      WHERE "sfid" IS NOT NULL AND ${quoteIdentifier(DELETED_COLUMN)} IS NOT TRUE AND ${quoteIdentifier(META_COLUMNS.syncedAt)} < $1
      ORDER BY "sfid"`,
    [before],
  );
  return rows.map((r) => r.sfid);
}

/** The sfids of `object` marked not visible. */
export async function notVisibleIds(db: Db, object: string): Promise<string[]> {
  const { rows } = await db.query<{ sfid: string }>(
    `SELECT sfid FROM tandem.not_visible WHERE object = $1 ORDER BY sfid`,
    [object],
  );
  return rows.map((r) => r.sfid);
}

/** True when `sfid` of `object` is marked not visible. */
export async function isNotVisible(db: Db, object: string, sfid: string): Promise<boolean> {
  const { rowCount } = await db.query(`SELECT 1 FROM tandem.not_visible WHERE object = $1 AND sfid = $2`, [
    object,
    sfid,
  ]);
  return (rowCount ?? 0) > 0;
}

/** Marks records not visible: their rows are deleted the way `policy` deletes, and listed. Returns the rows changed. */
export async function markNotVisible(
  tx: pg.PoolClient,
  schema: string,
  table: string,
  object: string,
  sfids: readonly string[],
  policy: 'soft' | 'hard',
): Promise<number> {
  if (sfids.length === 0) return 0;
  await tx.query(`INSERT INTO tandem.not_visible (object, sfid) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [
    object,
    sfids,
  ]);
  return applyDeletes(tx, schema, table, sfids, policy);
}

/** Forgets the marks of records the pull has just read again (visible once more). */
export async function clearNotVisible(db: Db, object: string, sfids: readonly string[]): Promise<void> {
  if (sfids.length === 0) return;
  await db.query(`DELETE FROM tandem.not_visible WHERE object = $1 AND sfid = ANY($2::text[])`, [object, sfids]);
}

/** When `object`'s visibility sweep last ran, or null. */
export async function visibilityCheckedAt(db: Db, object: string): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT visibility_checked_at AS at FROM tandem.sync_object WHERE object = $1`,
    [object],
  );
  return rows[0]?.at ?? null;
}

/** Records that `object`'s visibility sweep ran at `at`. */
export async function saveVisibilityChecked(db: Db, object: string, at: Date): Promise<void> {
  await db.query(`UPDATE tandem.sync_object SET visibility_checked_at = $2 WHERE object = $1`, [object, at]);
}

/** PostgreSQL's current time: rows are stamped with it, so a sweep compares against it. */
export async function databaseNow(db: Db): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
  return rows[0]!.now;
}
