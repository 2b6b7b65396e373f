/**
 * Creates and extends the data tables from describe. One table per object in the data schema, named
 * after the lowercase API name; `id` is a local serial key and `sfid` the unique Salesforce Id (nullable,
 * as in Heroku Connect, so rows created locally can wait for their Id). A field that appears is added
 * with ALTER TABLE; a field that disappears keeps its column and data but is no longer written.
 */
import type pg from 'pg';
import { SchemaMappingError, compareTypes, type ColumnSpec } from '../sync/type-mapping';
import { assertIdentifier, qualifiedName, quoteIdentifier } from './identifiers';

/** Tandem's bookkeeping columns on every data table. */
export const META_COLUMNS = {
  /** The full copy that last wrote the row: rows a finished re-copy did not see are gone from Salesforce. */
  copyId: '_tandem_copy_id',
  /** When Tandem last wrote the row. */
  syncedAt: '_tandem_synced_at',
} as const;

/** What `ensureTable` did. */
export interface TableChanges {
  created: boolean;
  addedColumns: string[];
  widenedColumns: string[];
}

/** Reads the existing columns of a table: name → formatted type; empty when the table does not exist. */
export async function existingColumns(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  table: string,
): Promise<Map<string, string>> {
  const { rows } = await db.query<{ attname: string; type: string }>(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema, table],
  );
  return new Map(rows.map((r) => [r.attname, r.type]));
}

/**
 * Creates the table for `columns` or brings an existing one up to date: adds missing columns, widens
 * varchar/numeric columns, and refuses (SchemaMappingError naming object and field) a type change whose
 * existing data cannot be cast. Runs in one transaction under a per-table advisory lock.
 */
export async function ensureTable(
  pool: pg.Pool,
  schema: string,
  table: string,
  object: string,
  columns: readonly ColumnSpec[],
): Promise<TableChanges> {
  assertIdentifier(schema);
  assertIdentifier(table);
  const name = qualifiedName(schema, table);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.${table}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    const existing = await existingColumns(client, schema, table);
    const changes: TableChanges = { created: false, addedColumns: [], widenedColumns: [] };
    if (existing.size === 0) {
      const definitions = [
        `"id" bigserial PRIMARY KEY`,
        ...columns.map((c) => `${quoteIdentifier(c.column)} ${c.sqlType}`),
        `${quoteIdentifier(META_COLUMNS.copyId)} bigint`,
        `${quoteIdentifier(META_COLUMNS.syncedAt)} timestamptz NOT NULL DEFAULT now()`,
        `UNIQUE ("sfid")`,
      ];
      await client.query(`CREATE TABLE ${name} (${definitions.join(', ')})`);
      changes.created = true;
    } else {
      for (const column of columns) {
        const current = existing.get(column.column);
        if (current === undefined) {
          await client.query(`ALTER TABLE ${name} ADD COLUMN ${quoteIdentifier(column.column)} ${column.sqlType}`);
          changes.addedColumns.push(column.column);
          continue;
        }
        const change = compareTypes(current, column.sqlType);
        if (change === 'same') continue;
        await client.query('SAVEPOINT retype');
        try {
          const using = change === 'widen' ? '' : ` USING ${quoteIdentifier(column.column)}::text::${column.sqlType}`;
          await client.query(
            `ALTER TABLE ${name} ALTER COLUMN ${quoteIdentifier(column.column)} TYPE ${column.sqlType}${using}`,
          );
          await client.query('RELEASE SAVEPOINT retype');
          changes.widenedColumns.push(column.column);
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT retype');
          throw new SchemaMappingError(
            `${object}.${column.field}: Salesforce now describes it as ${column.sqlType} but column ${schema}.${table}.${column.column} is ${current} ` +
              `and its data cannot be converted (${(error as Error).message}); rename or drop the column, then resync ${object}`,
          );
        }
      }
    }
    await client.query('COMMIT');
    return changes;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
