/** Generic reads and writes of one data table's rows, by local id or by Salesforce id. */
import type pg from 'pg';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { PUSH_COLUMNS } from './push-columns';
import { META_COLUMNS } from './tables';
import { parseExactJson } from '../sync/exact-json';

type Db = pg.Pool | pg.PoolClient;

/** Reads rows of a data table as jsonb objects (column → value; long numerics as ExactNumber), by local id. */
export async function readRows(
  db: Db,
  schema: string,
  table: string,
  ids: readonly number[],
): Promise<Map<number, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ r: string }>(
    `SELECT to_jsonb(t)::text AS r FROM ${qualifiedName(schema, table)} t WHERE t.id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((row) => parseRow(row.r)).map((r) => [Number(r.id), r]));
}

/** Reads rows of a data table by sfid. */
export async function readRowsBySfid(
  db: Db,
  schema: string,
  table: string,
  sfids: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (sfids.length === 0) return new Map();
  const { rows } = await db.query<{ r: string }>(
    `SELECT to_jsonb(t)::text AS r FROM ${qualifiedName(schema, table)} t WHERE t.sfid = ANY($1::text[])`,
    [sfids],
  );
  return new Map(rows.map((row) => parseRow(row.r)).map((r) => [String(r.sfid), r]));
}

/**
 * One row's jsonb text as an object. Read as text and parsed exactly, because pg's JSON.parse of jsonb
 * would round a numeric(18,0) such as 123456789012345678 to the nearest double before the push sends it.
 */
function parseRow(text: string): Record<string, unknown> {
  return parseExactJson(text) as Record<string, unknown>;
}

/**
 * Sets columns of one row from jsonb values (cast to the column types by jsonb_populate_record).
 * Within Tandem's transaction the change is not captured; with `capture` it is, as a marketing-side write.
 */
export async function writeColumns(
  db: Db,
  schema: string,
  table: string,
  rowId: number,
  values: Record<string, unknown>,
  options: { capture?: boolean } = {},
): Promise<void> {
  const columns = Object.keys(values);
  if (columns.length === 0) return;
  const name = qualifiedName(schema, table);
  const sets = columns.map(
    (c) => `${quoteIdentifier(c)} = (jsonb_populate_record(NULL::${name}, $2::jsonb)).${quoteIdentifier(c)}`,
  );
  if (options.capture) await db.query(`SELECT set_config('tandem.origin', '', true)`);
  try {
    await db.query(`UPDATE ${name} SET ${sets.join(', ')} WHERE id = $1`, [rowId, JSON.stringify(values)]);
  } finally {
    if (options.capture) await db.query(`SELECT set_config('tandem.origin', 'tandem', true)`);
  }
}

/** Of the given rows, those written by the current transaction (every pull upsert stamps `_tandem_synced_at` with now(), the transaction's start). */
export async function rowsWrittenThisTransaction(
  db: Db,
  schema: string,
  table: string,
  ids: readonly number[],
): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM ${qualifiedName(schema, table)} WHERE id = ANY($1::bigint[]) AND ${quoteIdentifier(META_COLUMNS.syncedAt)} = now()`,
    [ids],
  );
  return rows.map((r) => Number(r.id));
}

/** Local ids of the rows holding Salesforce id `sfid`, other than `exceptRowId`. */
export async function rowIdsWithSfid(
  db: Db,
  schema: string,
  table: string,
  sfid: string,
  exceptRowId?: number,
): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    exceptRowId === undefined
      ? `SELECT id FROM ${qualifiedName(schema, table)} WHERE sfid = $1`
      : `SELECT id FROM ${qualifiedName(schema, table)} WHERE sfid = $1 AND id <> $2`,
    exceptRowId === undefined ? [sfid] : [sfid, exceptRowId],
  );
  return rows.map((r) => Number(r.id));
}

/** Deletes rows by local id (Tandem's own write: not captured). */
export async function deleteRows(db: Db, schema: string, table: string, ids: readonly number[]): Promise<void> {
  await db.query(`DELETE FROM ${qualifiedName(schema, table)} WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Sets the row's Salesforce id. */
export async function setSfid(db: Db, schema: string, table: string, rowId: number, sfid: string): Promise<void> {
  await db.query(`UPDATE ${qualifiedName(schema, table)} SET sfid = $2 WHERE id = $1`, [rowId, sfid]);
}

/**
 * Clears the insert key of those of `rowIds` whose key an earlier row inserted on the marketing side
 * already holds (a copied row, from before the capture trigger refused copied keys), so they get a
 * fresh one; returns their ids. A pulled copy of a record (no insert entry) does not count: it holds the
 * key of the insert it came from. Tandem's own write: not captured.
 */
export async function clearCopiedKeys(
  db: Db,
  schema: string,
  table: string,
  column: string,
  object: string,
  rowIds: readonly number[],
): Promise<number[]> {
  if (rowIds.length === 0) return [];
  const name = qualifiedName(schema, table);
  const key = quoteIdentifier(column);
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ${name} w SET ${key} = NULL
      WHERE w.id = ANY($1::bigint[]) AND w.${key} IS NOT NULL
        AND EXISTS (SELECT 1 FROM ${name} o
                     WHERE o.${key} = w.${key} AND o.id < w.id
                       AND EXISTS (SELECT 1 FROM tandem.outbox x WHERE x.object = $2 AND x.row_id = o.id AND x.operation = 'insert'))
      RETURNING w.id`,
    [rowIds, object],
  );
  return rows.map((r) => Number(r.id));
}

/** Gives each of the rows without one a new random key (a UUID) in `column`; returns the keys set, by row id. */
export async function assignRandomKeys(
  db: Db,
  schema: string,
  table: string,
  column: string,
  rowIds: readonly number[],
): Promise<Map<number, string>> {
  const { rows } = await db.query<{ id: string; key: string }>(
    `UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(column)} = gen_random_uuid()::text
      WHERE id = ANY($1::bigint[]) AND ${quoteIdentifier(column)} IS NULL RETURNING id, ${quoteIdentifier(column)} AS key`,
    [rowIds],
  );
  return new Map(rows.map((r) => [Number(r.id), r.key]));
}

/**
 * Salesforce ids of the live rows (in Salesforce, not deleted, not linked elsewhere, none of
 * `notFlagged` true) whose email is one of `emails` (lowercase), newest change first, by email.
 */
export async function sfidsByEmail(
  db: Db,
  schema: string,
  table: string,
  emails: readonly string[],
  notFlagged: readonly string[],
): Promise<Map<string, string>> {
  const flags = notFlagged.map((c) => `AND ${quoteIdentifier(c)} IS NOT TRUE`).join(' ');
  const { rows } = await db.query<{ email: string; sfid: string }>(
    `SELECT lower(email) AS email, sfid FROM ${qualifiedName(schema, table)}
      WHERE lower(email) = ANY($1::text[]) AND sfid IS NOT NULL AND isdeleted IS NOT TRUE ${flags}
        AND ${quoteIdentifier(PUSH_COLUMNS.linkedTo)} IS NULL
      ORDER BY lastmodifieddate DESC NULLS LAST`,
    [emails],
  );
  const matches = new Map<string, string>();
  for (const r of rows) if (!matches.has(r.email)) matches.set(r.email, r.sfid);
  return matches;
}

/**
 * The values of `valueColumn` per parent (`parentColumn` one of `parents`) among the live rows of a
 * table, in `orderColumn` order then by value.
 */
export async function valuesByParent(
  db: Db,
  schema: string,
  table: string,
  columns: { parentColumn: string; valueColumn: string; orderColumn: string },
  parents: readonly string[],
): Promise<Map<string, string[]>> {
  const parent = quoteIdentifier(columns.parentColumn);
  const value = quoteIdentifier(columns.valueColumn);
  const { rows } = await db.query<{ parent: string; value: string }>(
    `SELECT ${parent} AS parent, ${value} AS value FROM ${qualifiedName(schema, table)}
      WHERE ${parent} = ANY($1::text[]) AND isdeleted IS NOT TRUE ORDER BY ${parent}, ${quoteIdentifier(columns.orderColumn)} NULLS LAST, ${value}`,
    [parents],
  );
  const byParent = new Map<string, string[]>();
  for (const r of rows) (byParent.get(r.parent) ?? byParent.set(r.parent, []).get(r.parent)!).push(r.value);
  return byParent;
}
