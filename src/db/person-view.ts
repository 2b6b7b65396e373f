/** The view `<schema>.person`: each person once, unconverted leads and contacts. */
import type pg from 'pg';
import { ID_COLUMN, type ColumnSpec } from '../sync/type-mapping';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { PUSH_COLUMNS } from './push-columns';

type Db = pg.Pool | pg.PoolClient;

/** The objects the view unites, in its order, with the tables it reads. */
export const PERSON_VIEW_OBJECTS = [
  { object: 'Lead', table: 'lead' },
  { object: 'Contact', table: 'contact' },
] as const;

/**
 * (Re)creates the view `<schema>.person`: every person once — leads not converted, contacts — without
 * deleted rows, merge losers and rows linked to another record. Columns: `person_type` (Lead or Contact),
 * `row_id`, then every column lead and contact share with the same type. Needs both tables with their
 * push columns; returns false (and does nothing) while one is missing or not yet upgraded.
 */
export async function ensurePersonView(
  db: Db,
  schema: string,
  leadColumns: readonly ColumnSpec[],
  contactColumns: readonly ColumnSpec[],
): Promise<boolean> {
  const contactTypes = new Map(contactColumns.map((c) => [c.column, c.sqlType]));
  const shared = leadColumns
    .filter((c) => contactTypes.get(c.column) === c.sqlType)
    .map((c) => quoteIdentifier(c.column));
  if (!shared.includes(quoteIdentifier(ID_COLUMN))) return false;
  // Each table gets its push columns when its own capture trigger is installed, after its own describe.
  // A database created by an older Tandem can have one table upgraded and the other not yet: wait for
  // the second describe rather than fail the first object's sync.
  const ready = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('lead', 'contact') AND column_name = $2`,
    [schema, PUSH_COLUMNS.linkedTo],
  );
  if (Number(ready.rows[0]!.n) < 2) return false;
  const list = shared.join(', ');
  const linked = quoteIdentifier(PUSH_COLUMNS.linkedTo);
  const sql = `CREATE OR REPLACE VIEW ${qualifiedName(schema, 'person')} AS
    SELECT 'Lead'::text AS person_type, id AS row_id, ${list} FROM ${qualifiedName(schema, 'lead')}
     WHERE isdeleted IS NOT TRUE AND isconverted IS NOT TRUE AND ${linked} IS NULL
    UNION ALL
    SELECT 'Contact'::text, id, ${list} FROM ${qualifiedName(schema, 'contact')}
     WHERE isdeleted IS NOT TRUE AND ${linked} IS NULL`;
  try {
    await db.query(sql);
  } catch (error) {
    // CREATE OR REPLACE cannot drop or reorder columns (a field the sync user lost): rebuild it.
    if ((error as { code?: string }).code !== '42P16') throw error;
    await db.query(`DROP VIEW ${qualifiedName(schema, 'person')}`);
    await db.query(sql);
  }
  return true;
}
