/** Generic reads and writes of one data table's rows, by local id or by Salesforce id. */
import type pg from 'pg';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { META_COLUMNS } from './tables';

type Db = pg.Pool | pg.PoolClient;

/** Reads rows of a data table as jsonb objects (column → value), by local id. */
export async function readRows(db: Db, schema: string, table: string, ids: readonly number[]): Promise<Map<number, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ r: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS r FROM ${qualifiedName(schema, table)} t WHERE t.id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map(({ r }) => [Number(r.id), r]));
}

/** Reads rows of a data table by sfid. */
export async function readRowsBySfid(db: Db, schema: string, table: string, sfids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  if (sfids.length === 0) return new Map();
  const { rows } = await db.query<{ r: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS r FROM ${qualifiedName(schema, table)} t WHERE t.sfid = ANY($1::text[])`,
    [sfids],
  );
  return new Map(rows.map(({ r }) => [String(r.sfid), r]));
}

/**
 * Sets columns of one row from jsonb values (cast to the column types by jsonb_populate_record).
 * Within Tandem's transaction the change is not captured; with `capture` it is, as a marketing-side write.
 */
export async function writeColumns(db: Db, schema: string, table: string, rowId: number, values: Record<string, unknown>, options: { capture?: boolean } = {}): Promise<void> {
  const columns = Object.keys(values);
  if (columns.length === 0) return;
  const name = qualifiedName(schema, table);
  const sets = columns.map((c) => `${quoteIdentifier(c)} = (jsonb_populate_record(NULL::${name}, $2::jsonb)).${quoteIdentifier(c)}`);
  if (options.capture) await db.query(`SELECT set_config('tandem.origin', '', true)`);
  try {
    await db.query(`UPDATE ${name} SET ${sets.join(', ')} WHERE id = $1`, [rowId, JSON.stringify(values)]);
  } finally {
    if (options.capture) await db.query(`SELECT set_config('tandem.origin', 'tandem', true)`);
  }
}

/** Of the given rows, those written by the current transaction (every pull upsert stamps `_tandem_synced_at` with now(), the transaction's start). */
export async function rowsWrittenThisTransaction(db: Db, schema: string, table: string, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM ${qualifiedName(schema, table)} WHERE id = ANY($1::bigint[]) AND ${quoteIdentifier(META_COLUMNS.syncedAt)} = now()`,
    [ids],
  );
  return rows.map((r) => Number(r.id));
}
