// Reading a Bulk 2.0 ingest upload: the CSV text a client PUT to …/batches, parsed in the job's
// dialect, with the header checked for shape (names are checked against the object later, by
// the processor, which knows the metadata). Failures here fail the whole job, as Salesforce
// does with "InvalidBatch" / "ClientInputError" messages in the job's errorMessage.
import { parse } from 'csv-parse/sync';
import type { CsvDialect } from './csv-dialect';

/** Thrown when an upload cannot be read at all; its message becomes the job's errorMessage. */
export class IngestDataError extends Error {
  override readonly name = 'IngestDataError';
}

/** An upload's header and rows, cells as the raw strings the client sent. */
export interface ParsedUpload {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Parses one uploaded CSV body; throws IngestDataError describing the first problem found. */
export function parseUpload(text: string, dialect: CsvDialect): ParsedUpload {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const firstBreak = body.indexOf('\n');
  if (firstBreak < 0 && body.trim() === '') throw new IngestDataError('InvalidBatch : Records not found in the upload');
  // Salesforce refuses data whose line breaks disagree with the job's lineEnding.
  const crlf = firstBreak > 0 && body[firstBreak - 1] === '\r';
  if (firstBreak >= 0 && crlf !== (dialect.lineEnding === 'CRLF')) {
    throw new IngestDataError(
      `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${dialect.lineEnding}`,
    );
  }
  let records: string[][];
  try {
    records = parse(body, {
      delimiter: dialect.delimiterChar,
      record_delimiter: dialect.lineEndingChars,
      skip_empty_lines: true,
      relax_column_count: false,
    });
  } catch (error) {
    throw new IngestDataError(`ClientInputError : ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new IngestDataError('InvalidBatch : Records not found in the upload');
  const seen = new Set<string>();
  for (const name of header) {
    if (name.trim() === '') throw new IngestDataError('InvalidBatch : Field name is empty in the header row');
    const key = name.toLowerCase();
    if (seen.has(key)) throw new IngestDataError(`InvalidBatch : Duplicate field name: ${name}`);
    seen.add(key);
  }
  return { header, rows };
}
