// The CSV dialect options a Bulk 2.0 job is created with, and their characters.
import { invalidRequest } from './errors';

/** `columnDelimiter` values Bulk 2.0 accepts. */
export type ColumnDelimiter = 'BACKQUOTE' | 'CARET' | 'COMMA' | 'PIPE' | 'SEMICOLON' | 'TAB';

/** `lineEnding` values Bulk 2.0 accepts. */
export type LineEnding = 'LF' | 'CRLF';

const DELIMITERS: Record<ColumnDelimiter, string> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};

const LINE_ENDINGS: Record<LineEnding, string> = { LF: '\n', CRLF: '\r\n' };

/** A job's CSV dialect, as names (for job info) and as characters (for the CSV libraries). */
export interface CsvDialect {
  readonly columnDelimiter: ColumnDelimiter;
  readonly lineEnding: LineEnding;
  readonly delimiterChar: string;
  readonly lineEndingChars: string;
}

/** Parses the optional `columnDelimiter` / `lineEnding` of a create-job body; COMMA and LF by default. */
export function parseDialect(columnDelimiter: unknown, lineEnding: unknown): CsvDialect {
  const delimiter = columnDelimiter ?? 'COMMA';
  const ending = lineEnding ?? 'LF';
  if (typeof delimiter !== 'string' || !(delimiter in DELIMITERS)) {
    throw invalidRequest(
      `Invalid columnDelimiter ${JSON.stringify(delimiter)}: expected one of ${Object.keys(DELIMITERS).join(', ')}`,
    );
  }
  if (typeof ending !== 'string' || !(ending in LINE_ENDINGS)) {
    throw invalidRequest(`Invalid lineEnding ${JSON.stringify(ending)}: expected LF or CRLF`);
  }
  return {
    columnDelimiter: delimiter as ColumnDelimiter,
    lineEnding: ending as LineEnding,
    delimiterChar: DELIMITERS[delimiter as ColumnDelimiter],
    lineEndingChars: LINE_ENDINGS[ending as LineEnding],
  };
}
