/**
 * Row writing: rows stream with COPY (pg-copy-streams) into a per-transaction staging table and are
 * merged into the data table with `INSERT … ON CONFLICT (sfid) DO UPDATE`, so re-writing a row (a retried
 * page, an overlap window) is idempotent. Nothing is buffered beyond the stream's own chunks.
 */
import { Readable, Transform, type Duplex, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DELETED_COLUMN, ID_COLUMN, type ColumnSpec } from '../sync/type-mapping';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { META_COLUMNS } from './tables';

/** One row's values in column order, already in PostgreSQL text form (see sync/coerce.ts). */
export type TextRow = (string | null)[];

/** Encodes one value for COPY's text format: `\N` for null; backslash, tab, newline and CR escaped. */
export function encodeCopyValue(value: string | null): string {
  if (value === null) return '\\N';
  // PostgreSQL text cannot hold NUL; Salesforce text never should, but one would abort the whole page.
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\\t\n\r\u0000]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : ''));
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

/** A Transform from TextRow objects to COPY text lines, batching lines into larger chunks. */
export function copyEncoder(): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(row: TextRow, _encoding: BufferEncoding, callback: TransformCallback) {
      callback(null, encodeCopyRow(row));
    },
  });
}

/** Where rows go. */
export interface UpsertTarget {
  schema: string;
  table: string;
  columns: readonly ColumnSpec[];
  /** Stamped on every written row during a full copy (see tables.ts META_COLUMNS.copyId). */
  copyId?: number | null;
}

let stageCounter = 0;

/**
 * Streams `rows` (TextRow objects) into the target table inside the caller's transaction and returns
 * the number of rows inserted or updated. Callers pass each sfid at most once per call (PostgreSQL refuses
 * to update one row twice in an INSERT … ON CONFLICT); `dedupeById` does that for overlapping pages.
 */
export async function upsertRows(
  client: pg.PoolClient,
  target: UpsertTarget,
  rows: Readable | Iterable<TextRow> | AsyncIterable<TextRow>,
  /** Streams between `rows` and the COPY (e.g. CSV parsing), ending in TextRow objects. */
  ...transforms: Duplex[]
): Promise<number> {
  const table = qualifiedName(target.schema, target.table);
  const stage = quoteIdentifier(`tandem_stage_${process.pid}_${++stageCounter}`);
  const columnList = target.columns.map((c) => quoteIdentifier(c.column)).join(', ');
  // ON COMMIT DROP: the staging table lives exactly as long as the page's transaction.
  await client.query(`CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${columnList} FROM ${table} WITH NO DATA`);
  const source = rows instanceof Readable ? rows : Readable.from(rows as Iterable<TextRow>, { objectMode: true });
  await pipeline([source, ...transforms, copyEncoder(), client.query(copyFrom(`COPY ${stage} (${columnList}) FROM STDIN`))]);
  const updates = target.columns
    .filter((c) => c.column !== ID_COLUMN)
    .map((c) => `${quoteIdentifier(c.column)} = EXCLUDED.${quoteIdentifier(c.column)}`);
  updates.push(`${quoteIdentifier(META_COLUMNS.copyId)} = COALESCE(EXCLUDED.${quoteIdentifier(META_COLUMNS.copyId)}, ${table}.${quoteIdentifier(META_COLUMNS.copyId)})`);
  updates.push(`${quoteIdentifier(META_COLUMNS.syncedAt)} = now()`);
  const result = await client.query(
    `INSERT INTO ${table} (${columnList}, ${quoteIdentifier(META_COLUMNS.copyId)})
     SELECT ${columnList}, $1::bigint FROM ${stage}
     ON CONFLICT ("sfid") DO UPDATE SET ${updates.join(', ')}`,
    [target.copyId ?? null],
  );
  await client.query(`DROP TABLE ${stage}`);
  return result.rowCount ?? 0;
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
export async function applyDeletes(client: pg.PoolClient, schema: string, table: string, ids: readonly string[], policy: 'soft' | 'hard'): Promise<number> {
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
  const result = await client.query(`DELETE FROM ${qualifiedName(schema, table)} WHERE ${quoteIdentifier(DELETED_COLUMN)} IS TRUE`);
  return result.rowCount ?? 0;
}

/**
 * After a full copy: rows the copy did not see are gone from Salesforce (or no longer visible to the sync
 * user). Marks them deleted (soft) or removes them (hard); returns the count.
 */
export async function retireUnseenRows(client: pg.PoolClient, schema: string, table: string, copyId: number, policy: 'soft' | 'hard'): Promise<number> {
  const name = qualifiedName(schema, table);
  const copyColumn = quoteIdentifier(META_COLUMNS.copyId);
  const unseen = `"sfid" IS NOT NULL AND ${copyColumn} IS DISTINCT FROM $1::bigint`;
  const result =
    policy === 'hard'
      ? await client.query(`DELETE FROM ${name} WHERE ${unseen}`, [copyId])
      : await client.query(
          `UPDATE ${name} SET ${quoteIdentifier(DELETED_COLUMN)} = true, ${quoteIdentifier(META_COLUMNS.syncedAt)} = now()
            WHERE ${unseen} AND ${quoteIdentifier(DELETED_COLUMN)} IS NOT TRUE`,
          [copyId],
        );
  return result.rowCount ?? 0;
}
