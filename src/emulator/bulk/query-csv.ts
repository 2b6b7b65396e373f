// Encoding Bulk 2.0 query results as CSV pages: a header row on every page (columns in SELECT
// order, relationship columns dotted like `Owner.Name`), every non-empty value quoted, null as
// an empty field, booleans `true`/`false`, datetimes in UTC with `Z` as Bulk writes them.
import { stringify } from 'csv-stringify/sync';
import type { CsvDialect } from './csv-dialect';

// REST writes datetimes as 2024-01-01T00:00:00.000+0000; Bulk CSV as 2024-01-01T00:00:00.000Z.
const OFFSET_DATETIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,3})?(?:\+0000|\+00:00|Z)$/;

/** Renders one value as Bulk CSV text. `type` is the describe field type, when known. */
export function formatCsvValue(value: unknown, type?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    if (type === 'datetime' || type === undefined) {
      const match = OFFSET_DATETIME.exec(value);
      if (match) return `${match[1]}${(match[2] ?? '.000').padEnd(4, '0')}Z`;
    }
    return value;
  }
  return JSON.stringify(value);
}

/** Encodes one page of already-formatted cells, with the header row first. */
export function encodeQueryPage(columns: readonly string[], cells: readonly (readonly string[])[], dialect: CsvDialect): string {
  return stringify([columns as string[], ...(cells as string[][])], {
    delimiter: dialect.delimiterChar,
    record_delimiter: dialect.lineEndingChars,
    quoted: true,
  });
}
