/**
 * `tandem.shadow`: per row with pending marketing-side changes, the values both sides last agreed on
 * (the base of the pull's three-way merge, src/sync/merge.ts).
 */
import type pg from 'pg';

type Db = pg.Pool | pg.PoolClient;

/**
 * Keeps in the rows' shadows only the columns still pending (in an open entry), and removes shadows
 * left empty. The capture trigger keeps a column's base while the column has one (only the first
 * change of a pending column records it), so a base left behind by a change that never reached
 * Salesforce (never-push, superseded, redirected) would be taken as the base of the column's next
 * change: a stale value both sides no longer agree on, which makes an unrelated Salesforce edit look
 * like a same-field conflict.
 */
export async function pruneShadow(db: Db, object: string, rowIds: readonly number[]): Promise<void> {
  if (rowIds.length === 0) return;
  await db.query(
    `UPDATE tandem.shadow s SET base = COALESCE(
            (SELECT jsonb_object_agg(b.key, b.value) FROM jsonb_each(s.base) b
              WHERE EXISTS (SELECT 1 FROM tandem.outbox o
                             WHERE o.object = s.object AND o.row_id = s.row_id AND o.status IN ('pending', 'failed') AND o.changed ? b.key)),
            '{}'::jsonb), updated_at = now()
      WHERE s.object = $1 AND s.row_id = ANY($2::bigint[])`,
    [object, rowIds],
  );
  await db.query(`DELETE FROM tandem.shadow WHERE object = $1 AND row_id = ANY($2::bigint[]) AND base = '{}'::jsonb`, [
    object,
    rowIds,
  ]);
}

/** Reads the shadow (base values) of rows. */
export async function readShadow(
  db: Db,
  object: string,
  rowIds: readonly number[],
): Promise<Map<number, Record<string, unknown>>> {
  if (rowIds.length === 0) return new Map();
  const { rows } = await db.query<{ row_id: string; base: Record<string, unknown> }>(
    `SELECT row_id, base FROM tandem.shadow WHERE object = $1 AND row_id = ANY($2::bigint[])`,
    [object, rowIds],
  );
  return new Map(rows.map((r) => [Number(r.row_id), r.base]));
}

/** Replaces a row's shadow; an empty base removes it (nothing pending: the row itself is the agreed state). */
export async function saveShadow(db: Db, object: string, rowId: number, base: Record<string, unknown>): Promise<void> {
  if (Object.keys(base).length === 0) {
    await db.query(`DELETE FROM tandem.shadow WHERE object = $1 AND row_id = $2`, [object, rowId]);
    return;
  }
  await db.query(
    `INSERT INTO tandem.shadow (object, row_id, base) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (object, row_id) DO UPDATE SET base = EXCLUDED.base, updated_at = now()`,
    [object, rowId, JSON.stringify(base)],
  );
}

/** Removes the shadows of rows (nothing of theirs is pending any more). */
export async function deleteShadows(db: Db, object: string, rowIds: readonly number[]): Promise<void> {
  await db.query(`DELETE FROM tandem.shadow WHERE object = $1 AND row_id = ANY($2::bigint[])`, [object, rowIds]);
}
