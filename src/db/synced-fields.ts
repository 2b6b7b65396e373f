/**
 * `tandem.synced_field`: every field of a two-way object that ever synced, so a field that later
 * disappears from describe (deleted, or hidden by field-level security) is known and its writes refused.
 */
import type pg from 'pg';
import type { ColumnSpec } from '../sync/type-mapping';

type Db = pg.Pool | pg.PoolClient;

/**
 * Records the object's current fields in `tandem.synced_field` and returns those that synced once but
 * are gone from describe now.
 */
export async function recordSyncedFields(
  db: Db,
  object: string,
  columns: readonly ColumnSpec[],
): Promise<{ column: string; field: string }[]> {
  const current = columns.filter((c) => c.field !== '');
  await db.query(
    `INSERT INTO tandem.synced_field (object, column_name, field) SELECT $1, c, f FROM unnest($2::text[], $3::text[]) AS x(c, f)
     ON CONFLICT (object, column_name) DO NOTHING`,
    [object, current.map((c) => c.column), current.map((c) => c.field)],
  );
  const { rows } = await db.query<{ column_name: string; field: string }>(
    `SELECT column_name, field FROM tandem.synced_field WHERE object = $1 AND NOT (column_name = ANY($2::text[])) ORDER BY column_name`,
    [object, current.map((c) => c.column)],
  );
  return rows.map((r) => ({ column: r.column_name, field: r.field }));
}
