// The three result files of a Bulk 2.0 ingest job. Each echoes the uploaded columns after the
// sf__ columns: successfulResults `sf__Id,sf__Created`, failedResults `sf__Id,sf__Error`,
// unprocessedrecords nothing extra. Written in the job's CSV dialect.
import { stringify } from 'csv-stringify/sync';
import type { RecordError } from '../errors';
import type { CsvDialect } from './csv-dialect';

/** How one uploaded row ended. */
export type RowOutcome =
  | { readonly kind: 'success'; readonly id: string; readonly created: boolean }
  | { readonly kind: 'failure'; readonly id: string; readonly error: RowError }
  | { readonly kind: 'unprocessed' };

/** One Salesforce save error on a row (the core's per-record error shape). */
export type RowError = Pick<RecordError, 'statusCode' | 'message' | 'fields'>;

/**
 * Formats a save error the way Bulk results do: `CODE:message:Field1,Field2 --` when fields are
 * named, `CODE:message --` otherwise (e.g. `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --`).
 */
export function formatRowError(error: RowError): string {
  const fields = error.fields.length > 0 ? `:${error.fields.join(',')}` : '';
  return `${error.statusCode}:${error.message}${fields} --`;
}

/** Which result file to produce. */
export type ResultFile = 'successfulResults' | 'failedResults' | 'unprocessedrecords';

/**
 * Writes one result file for rows `rows` (as uploaded) with their `outcomes` (same indexes).
 * Salesforce does not promise input order; we keep it, which is one of the allowed orders.
 */
export function resultFileCsv(
  file: ResultFile,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  outcomes: readonly RowOutcome[],
  dialect: CsvDialect,
): string {
  const lines: string[][] = [];
  if (file === 'successfulResults') lines.push(['sf__Id', 'sf__Created', ...header]);
  else if (file === 'failedResults') lines.push(['sf__Id', 'sf__Error', ...header]);
  else lines.push([...header]);
  for (let i = 0; i < rows.length; i++) {
    const outcome = outcomes[i] ?? { kind: 'unprocessed' };
    const row = rows[i];
    if (file === 'successfulResults' && outcome.kind === 'success') {
      lines.push([outcome.id, String(outcome.created), ...row]);
    } else if (file === 'failedResults' && outcome.kind === 'failure') {
      lines.push([outcome.id, formatRowError(outcome.error), ...row]);
    } else if (file === 'unprocessedrecords' && outcome.kind === 'unprocessed') {
      lines.push([...row]);
    }
  }
  return stringify(lines, {
    delimiter: dialect.delimiterChar,
    record_delimiter: dialect.lineEndingChars,
    quoted: true,
  });
}
