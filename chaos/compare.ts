/**
 * The end-of-run audit: every synced table compared with the org as the sync user sees it, row by
 * row and field by field for every synced column; duplicates on both sides; rows the marketing side
 * wrote that never reached Salesforce; and permanent failures that are not in `tandem.sync_error`.
 */
import type pg from 'pg';
import { quoteIdentifier, qualifiedName } from '../src/db/identifiers';
import { readObjectStates } from '../src/db/state';
import type { SalesforceClient } from '../src/salesforce/connection';
import { queryPages } from '../src/salesforce/rest-query';
import { buildSelect } from '../src/salesforce/soql';
import { coerceValue } from '../src/sync/coerce';
import type { ColumnSpec } from '../src/sync/type-mapping';

/** What the audit found, per object and in total. */
export interface Comparison {
  /** Salesforce rows compared with their PostgreSQL row. */
  rowsCompared: number;
  /** Field values that differ, rows present on one side only (held rows with an open sync_error excepted). */
  mismatches: number;
  /** Local rows sharing an sfid, and Salesforce records created twice for one marketing row. */
  duplicates: number;
  /** Marketing-side rows with no sfid and no open sync_error once everything settled. */
  unsyncedRows: number;
  /** Outbox entries left `failed` without an open sync_error (a permanent failure nobody can see). */
  failuresWithoutSyncError: number;
  /** Open sync_error rows (each a record held back on purpose, with its reason). */
  openSyncErrors: number;
  /** The first few differences, for the log. */
  examples: string[];
  byObject: Record<string, { compared: number; mismatches: number }>;
}

/** True when a local JSON-text value equals the Salesforce value of its column's kind. */
export function sameValue(column: ColumnSpec, local: string | null, remote: unknown): boolean {
  const expected = coerceValue(column.kind, remote);
  if (expected === null || local === null) return expected === local;
  switch (column.kind) {
    case 'boolean':
      return (local === 'true') === (expected === 't');
    case 'numeric':
    case 'integer':
      return Number(local) === Number(expected);
    case 'datetime':
      return Date.parse(local) === Date.parse(expected);
    default:
      return local === expected;
  }
}

async function tableExists(db: pg.Pool, schema: string, table: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${quoteIdentifier(schema)}.${quoteIdentifier(table)}`]);
  return rows[0].ok as boolean;
}

/** Compares every synced object (see the module comment). Salesforce is read through `client` as the sync user. */
export async function compareSides(db: pg.Pool, client: SalesforceClient, schema = 'salesforce'): Promise<Comparison> {
  const result: Comparison = { rowsCompared: 0, mismatches: 0, duplicates: 0, unsyncedRows: 0, failuresWithoutSyncError: 0, openSyncErrors: 0, examples: [], byObject: {} };
  const note = (text: string): void => {
    if (result.examples.length < 25) result.examples.push(text);
  };
  const hasPush = await tableExists(db, 'tandem', 'sync_error');
  const held = new Map<string, Set<string>>(); // object → local row ids with an open sync_error
  if (hasPush) {
    const { rows } = await db.query(`SELECT object, row_id::text AS row_id FROM tandem.sync_error WHERE resolved_at IS NULL`);
    result.openSyncErrors = rows.length;
    for (const r of rows) (held.get(r.object) ?? held.set(r.object, new Set()).get(r.object)!).add(r.row_id);
    const orphaned = await db.query(
      `SELECT o.object, o.row_id FROM tandem.outbox o
        WHERE o.status = 'failed' AND NOT EXISTS (SELECT 1 FROM tandem.sync_error e WHERE e.object = o.object AND e.row_id = o.row_id AND e.resolved_at IS NULL)`,
    );
    result.failuresWithoutSyncError = orphaned.rows.length;
    for (const r of orphaned.rows.slice(0, 5)) note(`${r.object} row ${r.row_id}: outbox entry failed without an open sync_error`);
  }

  const states = await readObjectStates(db);
  for (const state of [...states.values()].sort((a, b) => a.object.localeCompare(b.object))) {
    const table = qualifiedName(schema, state.tableName);
    const columns = state.columns.filter((c) => c.field !== '');
    const fields = columns.map((c) => c.field);
    const heldRows = held.get(state.object) ?? new Set<string>();
    let compared = 0;
    let mismatches = 0;

    const dup = await db.query(`SELECT sfid, count(*)::int AS n FROM ${table} WHERE sfid IS NOT NULL GROUP BY sfid HAVING count(*) > 1`);
    result.duplicates += dup.rows.length;
    for (const r of dup.rows.slice(0, 3)) note(`${state.object} ${r.sfid}: ${r.n} local rows`);

    // Two-way tables carry a local row id (marketing inserts have no sfid yet); from-Salesforce ones may not.
    const idColumn = await db.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'id'`, [schema, state.tableName]);
    const hasRowId = (idColumn.rowCount ?? 0) > 0;
    const select = columns.map((c) => `to_json(${quoteIdentifier(c.column)}) #>> '{}' AS ${quoteIdentifier(c.column)}`).join(', ');
    const { rows: localRows } = await db.query(
      `SELECT ${hasRowId ? 'id::text AS _row_id, ' : ''}${select} FROM ${table} WHERE sfid IS NOT NULL AND NOT isdeleted`,
    );
    const local = new Map<string, Record<string, string | null>>(localRows.map((r) => [r.sfid as string, r]));

    if (hasRowId && hasPush && (await tableExists(db, 'tandem', 'outbox'))) {
      const unsynced = await db.query(
        `SELECT t.id::text AS id FROM ${table} t WHERE t.sfid IS NOT NULL IS FALSE AND NOT t.isdeleted
           AND EXISTS (SELECT 1 FROM tandem.outbox o WHERE o.object = $1 AND o.row_id = t.id)
           AND NOT EXISTS (SELECT 1 FROM tandem.sync_error e WHERE e.object = $1 AND e.row_id = t.id AND e.resolved_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM tandem.outbox o WHERE o.object = $1 AND o.row_id = t.id AND o.status IN ('linked', 'redirected', 'skipped', 'superseded'))`,
        [state.object],
      );
      result.unsyncedRows += unsynced.rows.length;
      for (const r of unsynced.rows.slice(0, 3)) note(`${state.object} row ${r.id}: written on the marketing side, never reached Salesforce`);
    }

    const seen = new Set<string>();
    for await (const page of queryPages(client, buildSelect({ object: state.object, fields }))) {
      for (const record of page.records as Record<string, unknown>[]) {
        const id = String(record.Id);
        seen.add(id);
        compared++;
        const row = local.get(id);
        if (!row) {
          mismatches++;
          note(`${state.object} ${id}: in Salesforce, missing in PostgreSQL`);
          continue;
        }
        if (row._row_id && heldRows.has(row._row_id)) continue;
        for (const column of columns) {
          if (!sameValue(column, row[column.column] ?? null, record[column.field])) {
            mismatches++;
            note(`${state.object} ${id} ${column.field}: PostgreSQL ${JSON.stringify(row[column.column])} vs Salesforce ${JSON.stringify(record[column.field])}`);
          }
        }
      }
    }
    for (const [id, row] of local) {
      if (seen.has(id) || (row._row_id && heldRows.has(row._row_id))) continue;
      mismatches++;
      note(`${state.object} ${id}: live in PostgreSQL, deleted or invisible in Salesforce`);
    }
    result.rowsCompared += compared;
    result.mismatches += mismatches;
    result.byObject[state.object] = { compared, mismatches };
  }
  return result;
}
