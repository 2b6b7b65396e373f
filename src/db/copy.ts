/**
 * Row writing: rows go into a per-transaction staging table and are merged into the data table with
 * `INSERT … ON CONFLICT (sfid) DO UPDATE`, so re-writing a row (a retried page, an overlap window) is
 * idempotent. On PostgreSQL the staging table is filled with COPY (pg-copy-streams); on PGlite served over
 * the wire protocol (src/db/embedded.ts), where COPY FROM STDIN is not supported, with multi-row INSERTs.
 * Rows arrive in batches and nothing is buffered beyond one batch and the stream's own chunks.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DELETED_COLUMN, ID_COLUMN, type ColumnSpec } from '../sync/type-mapping';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { META_COLUMNS } from './tables';

/** One row's values in column order, already in PostgreSQL text form (see sync/coerce.ts). */
export type TextRow = (string | null)[];

/** Rows one by one, synchronously or not. */
export type RowSource = Iterable<TextRow> | AsyncIterable<TextRow>;

// eslint-disable-next-line no-control-regex
const COPY_SPECIAL = /[\\\t\n\r\u0000]/;
// eslint-disable-next-line no-control-regex
const COPY_SPECIAL_ALL = /[\\\t\n\r\u0000]/g;

/** Encodes one value for COPY's text format: `\N` for null; backslash, tab, newline and CR escaped. */
export function encodeCopyValue(value: string | null): string {
  if (value === null) return '\\N';
  // Most values need no escaping; test before paying for a replace.
  if (!COPY_SPECIAL.test(value)) return value;
  // PostgreSQL text cannot hold NUL; Salesforce text never should, but one would abort the whole page.
  return value.replace(COPY_SPECIAL_ALL, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '',
  );
}

/** Encodes one row as a COPY text-format line. */
export function encodeCopyRow(row: TextRow): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += encodeCopyValue(row[i]!);
  }
  return line + '\n';
}

/** Where rows go. */
export interface UpsertTarget {
  schema: string;
  table: string;
  columns: readonly ColumnSpec[];
  /** Stamped on every written row during a full copy (see tables.ts META_COLUMNS.copyId). */
  copyId?: number | null;
}

/** Rows per multi-row INSERT on servers without COPY: big enough to amortise a round trip. */
export const INSERT_BATCH_ROWS = 500;
/** PostgreSQL's limit of bind parameters in one statement (the protocol counts them in an int16). */
export const MAX_BIND_PARAMETERS = 65_535;

const copySupport = new WeakMap<object, Promise<boolean>>();

/**
 * True when the server behind `client` accepts COPY FROM STDIN: every PostgreSQL does, PGlite behind
 * pglite-socket does not (it loses protocol synchronisation and drops the connection). Asked once per
 * connection, with `SELECT version()`, whose text names PGlite there; a connection never changes servers.
 */
export function supportsCopy(client: pg.ClientBase): Promise<boolean> {
  let known = copySupport.get(client);
  if (!known) {
    known = client
      .query<{ version: string }>('SELECT version()')
      .then((r) => !/PGlite/i.test(r.rows[0]?.version ?? ''));
    // A failed probe (a dead connection) is not an answer: ask again next time.
    known.catch(() => copySupport.delete(client));
    copySupport.set(client, known);
  }
  return known;
}

let stageCounter = 0;

/**
 * Writes `rows` into the target table inside the caller's transaction and returns the number of rows
 * inserted or updated. Callers pass each sfid at most once per call (PostgreSQL refuses to update one row
 * twice in an INSERT … ON CONFLICT); `dedupeById` does that for overlapping pages.
 */
export async function upsertRows(client: pg.PoolClient, target: UpsertTarget, rows: RowSource): Promise<number> {
  return upsertBatches(client, target, batchesOf(rows));
}

/**
 * The incremental pull's upsert: like `upsertRows`, but a row whose every synced column already holds
 * the value read (a re-read inside the overlap window) is left alone — not rewritten, not restamped,
 * not counted. Returns the rows inserted or changed, and how many of those are marked deleted.
 */
export async function upsertChangedRows(
  client: pg.PoolClient,
  target: UpsertTarget,
  rows: RowSource,
  deletedColumn: string,
): Promise<{ changed: number; changedDeleted: number }> {
  const result = await upsertBatchesWith(client, target, batchesOf(rows), { deletedColumn });
  return { changed: result.rowCount ?? 0, changedDeleted: result.rows.filter((r) => r.deleted === true).length };
}

/** `upsertRows` for rows already in batches (a Bulk page parses into one batch per network chunk). */
export async function upsertBatches(
  client: pg.PoolClient,
  target: UpsertTarget,
  batches: AsyncIterable<readonly TextRow[]>,
): Promise<number> {
  return (await upsertBatchesWith(client, target, batches, {})).rowCount ?? 0;
}

async function upsertBatchesWith(
  client: pg.PoolClient,
  target: UpsertTarget,
  batches: AsyncIterable<readonly TextRow[]>,
  options: { deletedColumn?: string },
): Promise<pg.QueryResult<{ deleted?: boolean }>> {
  const table = qualifiedName(target.schema, target.table);
  const stage = quoteIdentifier(`tandem_stage_${process.pid}_${++stageCounter}`);
  const columnList = target.columns.map((c) => quoteIdentifier(c.column)).join(', ');
  // ON COMMIT DROP: the staging table lives exactly as long as the page's transaction. A temporary table
  // writes no WAL and lives in the session's local buffers: the cheapest place to land rows.
  await client.query(`CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${columnList} FROM ${table} WITH NO DATA`);
  if (await supportsCopy(client)) {
    await pipeline(
      Readable.from(encodeBatches(batches)),
      client.query(copyFrom(`COPY ${stage} (${columnList}) FROM STDIN`)),
    );
  } else {
    await insertBatches(client, stage, columnList, target.columns.length, batches);
  }
  const updates = target.columns
    .filter((c) => c.column !== ID_COLUMN)
    .map((c) => `${quoteIdentifier(c.column)} = EXCLUDED.${quoteIdentifier(c.column)}`);
  updates.push(
    `${quoteIdentifier(META_COLUMNS.copyId)} = COALESCE(EXCLUDED.${quoteIdentifier(META_COLUMNS.copyId)}, ${table}.${quoteIdentifier(META_COLUMNS.copyId)})`,
  );
  updates.push(`${quoteIdentifier(META_COLUMNS.syncedAt)} = now()`);
  // Only changed rows (a pull): the row as stored against the row as read, over the synced columns.
  const synced = target.columns.filter((c) => c.column !== ID_COLUMN).map((c) => quoteIdentifier(c.column));
  const onlyChanged = options.deletedColumn
    ? ` WHERE (${synced.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${synced.map((c) => `EXCLUDED.${c}`).join(', ')})
     RETURNING ${quoteIdentifier(options.deletedColumn)} AS deleted`
    : '';
  const result = await client.query<{ deleted?: boolean }>(
    `INSERT INTO ${table} (${columnList}, ${quoteIdentifier(META_COLUMNS.copyId)})
     SELECT ${columnList}, $1::bigint FROM ${stage}
     ON CONFLICT ("sfid") DO UPDATE SET ${updates.join(', ')}${onlyChanged}`,
    [target.copyId ?? null],
  );
  await client.query(`DROP TABLE ${stage}`);
  return result;
}

/** Groups single rows into batches of up to 1,000 (a batch is one COPY chunk or a few INSERTs). */
async function* batchesOf(rows: RowSource): AsyncGenerator<TextRow[]> {
  if (Array.isArray(rows)) {
    for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000);
    return;
  }
  let batch: TextRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** COPY text, one string per batch: one CopyData message and one socket write per batch, not per row. */
async function* encodeBatches(batches: AsyncIterable<readonly TextRow[]>): AsyncGenerator<string> {
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    let text = '';
    for (const row of batch) text += encodeCopyRow(row);
    yield text;
  }
}

/** Fills the staging table with multi-row parameterised INSERTs (PGlite's path). */
async function insertBatches(
  client: pg.PoolClient,
  stage: string,
  columnList: string,
  width: number,
  batches: AsyncIterable<readonly TextRow[]>,
): Promise<void> {
  const perStatement = Math.max(1, Math.min(INSERT_BATCH_ROWS, Math.floor(MAX_BIND_PARAMETERS / Math.max(1, width))));
  const statements = new Map<number, string>();
  const statementFor = (rows: number): string => {
    let sql = statements.get(rows);
    if (!sql) {
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) {
        const params: string[] = [];
        for (let c = 1; c <= width; c++) params.push(`$${r * width + c}`);
        tuples.push(`(${params.join(', ')})`);
      }
      sql = `INSERT INTO ${stage} (${columnList}) VALUES ${tuples.join(', ')}`;
      statements.set(rows, sql);
    }
    return sql;
  };
  let pending: TextRow[] = [];
  const flush = async (rows: TextRow[]) => {
    const values: (string | null)[] = [];
    for (const row of rows) {
      if (row.length !== width) throw new Error(`a row has ${row.length} values for ${width} columns`);
      // PostgreSQL text cannot hold NUL (COPY's encoder drops it too, above).
      for (const value of row)
        values.push(value !== null && value.includes('\u0000') ? value.replaceAll('\u0000', '') : value);
    }
    await client.query(statementFor(rows.length), values);
  };
  for await (const batch of batches) {
    for (const row of batch) {
      pending.push(row);
      if (pending.length === perStatement) {
        await flush(pending);
        pending = [];
      }
    }
  }
  if (pending.length > 0) await flush(pending);
}

/** Keeps the last row for each sfid (column 0), preserving order otherwise. */
export function dedupeById(rows: readonly TextRow[]): TextRow[] {
  const last = new Map<string | null, number>();
  rows.forEach((row, index) => last.set(row[0]!, index));
  return rows.filter((row, index) => last.get(row[0]!) === index);
}

/**
 * Applies deletes by Id: marks the rows `isdeleted` (soft) or removes them (hard). Returns the rows
 * changed. Soft-deleting an already-deleted row changes nothing and is not counted.
 */
export async function applyDeletes(
  client: pg.PoolClient,
  schema: string,
  table: string,
  ids: readonly string[],
  policy: 'soft' | 'hard',
): Promise<number> {
  if (ids.length === 0) return 0;
  const name = qualifiedName(schema, table);
  const result =
    policy === 'hard'
      ? await client.query(`DELETE FROM ${name} WHERE "sfid" = ANY($1::text[])`, [ids])
      : await client.query(
          `UPDATE ${name} SET ${quoteIdentifier(DELETED_COLUMN)} = true, ${quoteIdentifier(META_COLUMNS.syncedAt)} = now()
            WHERE "sfid" = ANY($1::text[]) AND ${quoteIdentifier(DELETED_COLUMN)} IS NOT TRUE`,
          [ids],
        );
  return result.rowCount ?? 0;
}

/** With hard delete: removes rows flagged `isdeleted` (written by a queryAll page). Returns the rows removed. */
export async function purgeDeletedRows(client: pg.PoolClient, schema: string, table: string): Promise<number> {
  const result = await client.query(
    `DELETE FROM ${qualifiedName(schema, table)} WHERE ${quoteIdentifier(DELETED_COLUMN)} IS TRUE`,
  );
  return result.rowCount ?? 0;
}

/**
 * After a full copy: rows the copy did not see are gone from Salesforce (or no longer visible to the sync
 * user). Marks them deleted (soft) or removes them (hard); returns the count.
 */
export async function retireUnseenRows(
  client: pg.PoolClient,
  schema: string,
  table: string,
  copyId: number,
  policy: 'soft' | 'hard',
  options: { detachIds?: boolean } = {},
): Promise<number> {
  const name = qualifiedName(schema, table);
  const copyColumn = quoteIdentifier(META_COLUMNS.copyId);
  const unseen = `"sfid" IS NOT NULL AND ${copyColumn} IS DISTINCT FROM $1::bigint`;
  // After a re-binding to another org the unseen rows' ids belong to the old org, and the new one may
  // hand out the same ids (a re-seeded org counts from 1 again): a kept row lets go of its id.
  const detach = options.detachIds ? ', "sfid" = NULL' : '';
  const live = options.detachIds ? '' : ` AND ${quoteIdentifier(DELETED_COLUMN)} IS NOT TRUE`;
  const result =
    policy === 'hard'
      ? await client.query(`DELETE FROM ${name} WHERE ${unseen}`, [copyId])
      : await client.query(
          `UPDATE ${name} SET ${quoteIdentifier(DELETED_COLUMN)} = true, ${quoteIdentifier(META_COLUMNS.syncedAt)} = now()${detach}
            WHERE ${unseen}${live}`,
          [copyId],
        );
  return result.rowCount ?? 0;
}

/**
 * Stamps the local rows of records the copy read but quarantined (src/db/quarantine.ts) as seen by
 * copy `copyId`: they exist in Salesforce, so the copy's end must not retire them; they keep their last
 * stored values until a readable version is pulled.
 */
export async function markSeenByCopy(
  client: pg.PoolClient,
  schema: string,
  table: string,
  copyId: number,
  sfids: readonly string[],
): Promise<void> {
  if (sfids.length === 0) return;
  await client.query(
    `UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(META_COLUMNS.copyId)} = $1 WHERE sfid = ANY($2::text[])`,
    [copyId, sfids],
  );
}
