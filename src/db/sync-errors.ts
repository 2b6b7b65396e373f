/**
 * `tandem.sync_error`: records Salesforce refused, one open error per row, and the row's
 * `_tandem_error` mark that mirrors it.
 */
import type pg from 'pg';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { PUSH_COLUMNS } from './push-columns';

type Db = pg.Pool | pg.PoolClient;

/** One permanent push failure. */
export interface SyncErrorInput {
  object: string;
  rowId: number;
  sfid: string | null;
  operation: string;
  code: string;
  message: string;
  fields: readonly string[];
}

/**
 * Records (or refreshes) the row's open sync error, marks its entries failed and the row with the error.
 * The same error again refreshes the open one (last_seen, attempts); a different one resolves it as
 * `superseded` and opens a new row, so the record's story keeps every error it had.
 */
export async function recordSyncError(
  db: Db,
  schema: string,
  table: string,
  entryIds: readonly number[],
  error: SyncErrorInput,
): Promise<void> {
  await db.query(
    `UPDATE tandem.sync_error SET resolved_at = now(), resolution = 'superseded'
      WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL AND (code <> $3 OR message <> $4)`,
    [error.object, error.rowId, error.code, error.message],
  );
  await db.query(
    `INSERT INTO tandem.sync_error (object, row_id, sfid, operation, code, message, fields)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text[])
     ON CONFLICT (object, row_id) WHERE resolved_at IS NULL DO UPDATE SET
       sfid = COALESCE(EXCLUDED.sfid, tandem.sync_error.sfid), operation = EXCLUDED.operation, code = EXCLUDED.code,
       message = EXCLUDED.message, fields = EXCLUDED.fields, last_seen = now(), attempts = tandem.sync_error.attempts + 1`,
    [error.object, error.rowId, error.sfid, error.operation, error.code, error.message, error.fields],
  );
  await db.query(`UPDATE tandem.outbox SET status = 'failed', last_error = $2 WHERE id = ANY($1::bigint[])`, [
    entryIds,
    `${error.code}: ${error.message}`,
  ]);
  await db.query(
    `UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(PUSH_COLUMNS.error)} = $2 WHERE id = $1`,
    [error.rowId, `${error.code}: ${error.message}`],
  );
}

/** Resolves the row's open sync error (it synced, or its change was superseded) and clears the row's mark. */
export async function resolveSyncError(
  db: Db,
  schema: string,
  table: string,
  object: string,
  rowId: number,
  resolution: string,
): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE tandem.sync_error SET resolved_at = now(), resolution = $3 WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL`,
    [object, rowId, resolution],
  );
  if (rowCount) {
    await db.query(
      `UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(PUSH_COLUMNS.error)} = NULL WHERE id = $1`,
      [rowId],
    );
  }
}

/** Open (unresolved) sync errors of one object. */
export async function openErrorCount(db: Db, object: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM tandem.sync_error WHERE object = $1 AND resolved_at IS NULL`,
    [object],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Resolves the open sync errors of rows whose change reached Salesforce, and clears those rows' marks. */
export async function resolvePushedSyncErrors(
  db: Db,
  schema: string,
  table: string,
  object: string,
  rowIds: readonly number[],
): Promise<void> {
  const resolved = await db.query<{ row_id: string }>(
    `UPDATE tandem.sync_error SET resolved_at = now(), resolution = 'pushed' WHERE object = $1 AND row_id = ANY($2::bigint[]) AND resolved_at IS NULL RETURNING row_id`,
    [object, rowIds],
  );
  if (resolved.rowCount) {
    await db.query(
      `UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(PUSH_COLUMNS.error)} = NULL WHERE id = ANY($1::bigint[])`,
      [resolved.rows.map((r) => Number(r.row_id))],
    );
  }
}

/** Resolves the row's open sync error without touching its mark (its edits went to another record). */
export async function resolveRedirectedSyncError(
  db: Db,
  object: string,
  rowId: number,
  resolution: string,
): Promise<void> {
  await db.query(
    `UPDATE tandem.sync_error SET resolved_at = now(), resolution = $3 WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL`,
    [object, rowId, resolution],
  );
}
