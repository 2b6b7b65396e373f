/**
 * Bulk API 2.0 result CSV → records, incrementally. Salesforce writes RFC 4180 CSV in the job's dialect
 * (Tandem creates jobs with COMMA and LF, bulk-query.ts): a header row, every value quoted, `""` for a
 * quote inside a value, an empty unquoted field for null, values that may span lines
 * (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm). This parser exists because the copy spends its CPU here: csv-parse in a
 * stream costs a Transform tick and an object per record, and was the largest item of the copy's
 * profile; this one scans each chunk with indexOf and hands out one reused array per record.
 */

/** Thrown when the CSV is malformed (an unterminated quote at the end, text after a closing quote). */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

/**
 * Splits CSV text into records. `push` accepts chunks of any size (a record may span chunks) and
 * calls `onRecord` for every complete record, with an array that is reused for the next one; `end`
 * flushes the last record when the text does not end with a newline. A leading byte-order mark is skipped.
 */
export class CsvRecordParser {
  private rest = '';
  private started = false;
  private readonly fields: string[] = [];
  private readonly delimiter: number;

  constructor(
    private readonly onRecord: (fields: string[]) => void,
    delimiter = ',',
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Parses every record completed by `chunk`. */
  push(chunk: string): void {
    let text = this.rest.length > 0 ? this.rest + chunk : chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.rest = text.slice(this.parse(text, false));
  }

  /** Parses what is left; throws CsvFormatError when it is not a complete record. */
  end(): void {
    const text = this.rest;
    this.rest = '';
    if (text.length > 0 && this.parse(text, true) !== text.length)
      throw new CsvFormatError('CSV ends inside a quoted value');
  }

  /** Parses complete records from `text`; returns the offset where the incomplete remainder starts. */
  private parse(text: string, final: boolean): number {
    const fields = this.fields;
    const delimiter = this.delimiter;
    const length = text.length;
    let recordStart = 0;
    let pos = 0;
    fields.length = 0;
    while (pos < length) {
      let value: string;
      let next: number; // index of the character after the field: a delimiter, CR, LF or the end
      if (text.charCodeAt(pos) === QUOTE) {
        let from = pos + 1;
        value = '';
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) return recordStart; // the value continues in the next chunk
          if (close + 1 < length && text.charCodeAt(close + 1) === QUOTE) {
            value += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          if (close + 1 === length && !final) return recordStart; // a "" may straddle the chunk boundary
          value += text.slice(from, close);
          next = close + 1;
          break;
        }
        if (next < length) {
          const c = text.charCodeAt(next);
          if (c !== delimiter && c !== LF && c !== CR)
            throw new CsvFormatError(`CSV has text after a closing quote at offset ${next}`);
        }
      } else {
        next = pos;
        while (next < length) {
          const c = text.charCodeAt(next);
          if (c === delimiter || c === LF || c === CR) break;
          next++;
        }
        value = text.slice(pos, next);
      }
      if (next >= length) {
        if (!final) return recordStart; // the record (or this field) may go on in the next chunk
        fields.push(value);
        this.onRecord(fields);
        fields.length = 0;
        return length;
      }
      fields.push(value);
      const c = text.charCodeAt(next);
      if (c === delimiter) {
        pos = next + 1;
        if (pos === length) {
          if (!final) return recordStart;
          fields.push('');
          this.onRecord(fields);
          fields.length = 0;
          return length;
        }
        continue;
      }
      // End of record: LF, CRLF or a lone CR.
      pos = next + 1;
      if (c === CR) {
        if (pos === length && !final) return recordStart; // CR at the chunk's end: is an LF next?
        if (pos < length && text.charCodeAt(pos) === LF) pos++;
      }
      this.onRecord(fields);
      fields.length = 0;
      recordStart = pos;
    }
    return recordStart;
  }
}
