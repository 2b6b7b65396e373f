import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { CsvFormatError, CsvRecordParser } from '../../src/salesforce/bulk-csv';

/** Parses `text` fed in the given chunk sizes (cycled), collecting copies of the records. */
function parseChunked(text: string, sizes: number[] = [text.length || 1]): string[][] {
  const records: string[][] = [];
  const parser = new CsvRecordParser((fields) => records.push([...fields]));
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    parser.push(text.slice(at, at + size));
    at += size;
  }
  parser.end();
  return records;
}

describe('Bulk result CSV parsing', () => {
  it('reads quoted values with quotes, commas and line breaks inside, and empty fields as empty', () => {
    const text = '"Id","Name","Description"\n"00Q1","Smith, ""Al""","line 1\nline 2"\n"00Q2",,""\n';
    expect(parseChunked(text)).toEqual([
      ['Id', 'Name', 'Description'],
      ['00Q1', 'Smith, "Al"', 'line 1\nline 2'],
      ['00Q2', '', ''],
    ]);
  });

  it('accepts CRLF line endings, a byte-order mark, unquoted values and a last line without newline', () => {
    expect(parseChunked('\uFEFFa,b\r\n1,"2"\r\n3,\r\n4,5')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', ''],
      ['4', '5'],
    ]);
  });

  it('gives the same records whatever the chunk boundaries (one character at a time included)', () => {
    const text = '"a","b"\n"x""","y\r\nz"\n"",""\n"1","2"';
    const whole = parseChunked(text);
    for (const size of [1, 2, 3, 5, 7]) expect(parseChunked(text, [size])).toEqual(whole);
  });

  it('agrees with csv-parse on any table csv-stringify writes, chunked anywhere', () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('"', '""', ',', '\n', '\r\n', 'a"b', ''));
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((width) =>
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 20 }),
          ),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (rows, sizes, quoted) => {
          const text = stringify(rows, { quoted, record_delimiter: 'unix' });
          const expected = parse(text, { relax_column_count: true }) as string[][];
          expect(parseChunked(text, sizes)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an unterminated quote and text after a closing quote', () => {
    expect(() => parseChunked('"a","b\n')).toThrow(CsvFormatError);
    expect(() => parseChunked('"a"x,"b"\n')).toThrow(/after a closing quote/);
  });
});
