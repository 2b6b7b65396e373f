// Encoding Bulk 2.0 query results as CSV pages: a header row on every page (columns in SELECT
// order, relationship columns dotted like `Owner.Name`), every non-empty value quoted, null as
// an empty field. Cells arrive already formatted (values.ts toCsvValue: booleans `true`/`false`,
// datetimes in UTC with `Z`).
import { Readable } from 'node:stream';
import { stringify as stringifyStream } from 'csv-stringify';
import type { CsvDialect } from './csv-dialect';

/** Renders rows [from, to) of a result set as formatted cells. */
export type CellSource = (from: number, to: number) => string[][];

// Rows rendered per call to the cell source and buffered ahead of the stringifier. Kept small
// so rendered cells die young: rows that survive two scavenges are promoted, and every major
// GC then marks the whole store (hundreds of MB at a million records). 250 measured ~25% less
// CPU per exported row than 2,000.
const CHUNK_ROWS = 250;

function* pageRows(
  columns: readonly string[],
  cells: CellSource,
  from: number,
  to: number,
): Generator<readonly string[]> {
  yield columns;
  for (let start = from; start < to; start += CHUNK_ROWS) yield* cells(start, Math.min(to, start + CHUNK_ROWS));
}

/**
 * Streams one result page as CSV text, header first: rows are rendered and stringified as the
 * socket drains (csv-stringify's stream API, which is also several times faster than its sync
 * API on wide rows), so a page of a million rows never sits in memory.
 */
export function queryPageStream(
  columns: readonly string[],
  cells: CellSource,
  from: number,
  to: number,
  dialect: CsvDialect,
): Readable {
  const source = Readable.from(pageRows(columns, cells, from, to), { highWaterMark: CHUNK_ROWS });
  const csv = stringifyStream({
    delimiter: dialect.delimiterChar,
    record_delimiter: dialect.lineEndingChars,
    quoted: true,
  });
  source.once('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
