// Test support for the activity tests: the emulated org and activities (chaos/org-kit.ts, shared with
// the chaos and convergence runs), and assertions that a copied table equals the org.
import type pg from 'pg';
import { expect } from 'vitest';
import { quoteIdentifier } from '../../src/db/identifiers';
import { readObjectState } from '../../src/db/state';
import { queryPages } from '../../src/salesforce/rest-query';
import { buildSelect } from '../../src/salesforce/soql';
import type { ColumnSpec } from '../../src/sync/type-mapping';
import type { TestOrg } from '../../chaos/org-kit';

import { sameValue } from '../../chaos/org-kit';

export { API_VERSION, copyObject, sameValue, startTestOrg, testConfig, type TestOrg } from '../../chaos/org-kit';

/** Every row of `object` as the sync user sees it through the API, by Id. */
async function orgRows(
  org: TestOrg,
  object: string,
  columns: ColumnSpec[],
): Promise<Map<string, Record<string, unknown>>> {
  const fields = columns.filter((c) => c.field !== '').map((c) => c.field);
  const rows = new Map<string, Record<string, unknown>>();
  for await (const page of queryPages(org.sync, buildSelect({ object, fields })))
    for (const r of page.records) rows.set(String(r.Id), r);
  return rows;
}

/** Every row of the local table, each column as JSON text, by sfid. */
async function localRows(
  pool: pg.Pool,
  table: string,
  columns: ColumnSpec[],
  where = 'true',
): Promise<Map<string, Record<string, string | null>>> {
  const select = columns
    .map((c) => `to_json(${quoteIdentifier(c.column)}) #>> '{}' AS ${quoteIdentifier(c.column)}`)
    .join(', ');
  const { rows } = await pool.query(`SELECT ${select} FROM salesforce.${quoteIdentifier(table)} WHERE ${where}`);
  return new Map(rows.map((r) => [r.sfid as string, r]));
}

/**
 * True when a local value equals Salesforce's (the rule of {@link sameValue}). Tandem's own `isdeleted` column
 * (no Salesforce field, on objects whose describe lacks IsDeleted) must read false for a live record.
 */
function matches(column: ColumnSpec, local: string | null, remote: unknown): boolean {
  return column.field === '' ? local !== null && local !== 'true' : sameValue(column, local, remote);
}

/** Asserts that `object`'s table equals the org as the sync user sees it, row by row and field by field; returns the row count. */
export async function expectCopyEqualsOrg(org: TestOrg, pool: pg.Pool, object: string): Promise<number> {
  const state = (await readObjectState(pool, object))!;
  const remote = await orgRows(org, object, state.columns);
  const local = await localRows(pool, state.tableName, state.columns, 'NOT isdeleted');
  expect([...local.keys()].sort(), `${object}: the same records`).toEqual([...remote.keys()].sort());
  const mismatches: string[] = [];
  for (const [id, record] of remote) {
    const row = local.get(id)!;
    for (const column of state.columns) {
      if (!matches(column, row[column.column] ?? null, record[column.field])) {
        mismatches.push(
          `${object} ${id} ${column.field}: local ${row[column.column]} vs Salesforce ${JSON.stringify(record[column.field])}`,
        );
      }
    }
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
  return remote.size;
}
