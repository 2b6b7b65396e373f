// Encoding Bulk 2.0 query results as CSV pages: a header row on every page (columns in SELECT
// order, relationship columns dotted like `Owner.Name`), every non-empty value quoted, null as
// an empty field. Cells arrive already formatted (values.ts toCsvValue: booleans `true`/`false`,
// datetimes in UTC with `Z`).
import { stringify } from 'csv-stringify/sync';
import type { CsvDialect } from './csv-dialect';

/** Encodes one page of already-formatted cells, with the header row first. */
export function encodeQueryPage(columns: readonly string[], cells: readonly (readonly string[])[], dialect: CsvDialect): string {
  return stringify([columns as string[], ...(cells as string[][])], {
    delimiter: dialect.delimiterChar,
    record_delimiter: dialect.lineEndingChars,
    quoted: true,
  });
}

/** Renders rows [from, to) of a result set as formatted cells. */
export type CellSource = (from: number, to: number) => string[][];

// Rows per CSV chunk: big enough that stringify's per-call cost vanishes, small enough that a
// chunk (a few hundred KB) never dominates memory.
const CHUNK_ROWS = 2_000;

/**
 * Yields one result page as CSV text in chunks, header first, so a page of a million rows is
 * streamed to the socket (with backpressure, via Readable.from) instead of built in memory.
 */
export function* queryPageChunks(
  columns: readonly string[],
  cells: CellSource,
  from: number,
  to: number,
  dialect: CsvDialect,
): Generator<string> {
  const options = { delimiter: dialect.delimiterChar, record_delimiter: dialect.lineEndingChars, quoted: true };
  yield stringify([columns as string[]], options);
  for (let start = from; start < to; start += CHUNK_ROWS) {
    yield stringify(cells(start, Math.min(to, start + CHUNK_ROWS)), options);
  }
}
