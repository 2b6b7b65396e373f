import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseDialect } from '../../src/emulator/bulk/csv-dialect';
import { IngestDataError, parseUpload } from '../../src/emulator/bulk/ingest-csv';
import { requestedTransition } from '../../src/emulator/bulk/job-state';
import { decodeLocator, encodeLocator, parseMaxRecords } from '../../src/emulator/bulk/locator';
import { queryPageStream } from '../../src/emulator/bulk/query-csv';
import { formatRowError, resultFileCsv, type RowOutcome } from '../../src/emulator/bulk/results-csv';

const comma = parseDialect(undefined, undefined);

describe('Bulk 2.0 CSV dialect', () => {
  it('defaults to COMMA and LF and maps every documented delimiter', () => {
    expect(comma).toMatchObject({
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
      delimiterChar: ',',
      lineEndingChars: '\n',
    });
    expect(parseDialect('TAB', 'CRLF')).toMatchObject({ delimiterChar: '\t', lineEndingChars: '\r\n' });
    expect(parseDialect('PIPE', 'LF').delimiterChar).toBe('|');
    expect(parseDialect('BACKQUOTE', 'LF').delimiterChar).toBe('`');
  });

  it('refuses an unknown delimiter or line ending, naming it', () => {
    expect(() => parseDialect('COLON', 'LF')).toThrow(/Invalid columnDelimiter "COLON"/);
    expect(() => parseDialect('COMMA', 'CR')).toThrow(/Invalid lineEnding "CR"/);
  });
});

describe('Bulk 2.0 ingest upload parsing', () => {
  it('reads header and rows as raw cells, #N/A and empty cells kept for the writer', () => {
    const upload = parseUpload('LastName,Company,Email\nSmith,Acme,#N/A\nJones,,j@x.com\n', comma);
    expect(upload.header).toEqual(['LastName', 'Company', 'Email']);
    expect(upload.rows).toEqual([
      ['Smith', 'Acme', '#N/A'],
      ['Jones', '', 'j@x.com'],
    ]);
  });

  it('honours the job delimiter and CRLF line ending, with quoted delimiters and newlines', () => {
    const dialect = parseDialect('SEMICOLON', 'CRLF');
    const upload = parseUpload('Name;Description\r\n"A;B";"line1\r\nline2"\r\n', dialect);
    expect(upload.rows).toEqual([['A;B', 'line1\r\nline2']]);
  });

  it('fails when the data line endings disagree with the job', () => {
    expect(() => parseUpload('Name\r\nA\r\n', comma)).toThrow(
      'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
    );
    expect(() => parseUpload('Name\nA\n', parseDialect('COMMA', 'CRLF'))).toThrow(/Current LineEnding setting is CRLF/);
  });

  it('fails on duplicate or empty header names, ragged rows and empty uploads', () => {
    expect(() => parseUpload('Name,name\nA,B\n', comma)).toThrow('InvalidBatch : Duplicate field name: name');
    expect(() => parseUpload('Name,\nA,B\n', comma)).toThrow(/Field name is empty/);
    expect(() => parseUpload('Name,Phone\nA\n', comma)).toThrow(IngestDataError);
    expect(() => parseUpload('', comma)).toThrow(/Records not found/);
  });
});

describe('Bulk 2.0 ingest result files', () => {
  const header = ['LastName', 'Company'];
  const rows = [
    ['Smith', 'Acme'],
    ['', 'NoName'],
    ['Late', 'Co'],
  ];
  const outcomes: RowOutcome[] = [
    { kind: 'success', id: '00Q5g000000001AAA', created: true },
    {
      kind: 'failure',
      id: '',
      error: {
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [LastName]',
        fields: ['LastName'],
      },
    },
    { kind: 'unprocessed' },
  ];

  it('formats errors as CODE:message:fields --', () => {
    expect(
      formatRowError(outcomes[1].kind === 'failure' ? outcomes[1].error : { statusCode: '', message: '', fields: [] }),
    ).toBe('REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --');
    expect(
      formatRowError({ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access', fields: [] }),
    ).toBe('UNABLE_TO_LOCK_ROW:unable to obtain exclusive access --');
  });

  it('puts each row in exactly one file, echoing the uploaded columns', () => {
    const ok = parse(resultFileCsv('successfulResults', header, rows, outcomes, comma), { columns: true });
    const failed = parse(resultFileCsv('failedResults', header, rows, outcomes, comma), { columns: true });
    const unprocessed = parse(resultFileCsv('unprocessedrecords', header, rows, outcomes, comma), { columns: true });
    expect(ok).toEqual([{ sf__Id: '00Q5g000000001AAA', sf__Created: 'true', LastName: 'Smith', Company: 'Acme' }]);
    expect(failed).toEqual([
      {
        sf__Id: '',
        sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
        LastName: '',
        Company: 'NoName',
      },
    ]);
    expect(unprocessed).toEqual([{ LastName: 'Late', Company: 'Co' }]);
  });

  it('writes a header row even when a file has no rows', () => {
    expect(resultFileCsv('failedResults', header, [], [], comma)).toBe('"sf__Id","sf__Error","LastName","Company"\n');
  });
});

describe('Bulk 2.0 query CSV', () => {
  it('quotes non-empty cells, leaves nulls empty and keeps dotted relationship columns', async () => {
    const rows = [
      ['00Q1', '', 'false'],
      ['00Q2', 'Ann "A", B', 'true'],
      ['00Q3', 'Zed', 'true'],
    ];
    const stream = queryPageStream(
      ['Id', 'Owner.Name', 'IsConverted'],
      (from, to) => rows.slice(from, to),
      0,
      2,
      comma,
    );
    let csv = '';
    for await (const chunk of stream) csv += String(chunk);
    expect(csv).toBe('"Id","Owner.Name","IsConverted"\n"00Q1",,"false"\n"00Q2","Ann ""A"", B","true"\n');
  });

  it('streams only the requested slice, in the job dialect', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [String(i)]);
    const stream = queryPageStream(['N'], (from, to) => rows.slice(from, to), 1000, 4500, parseDialect('PIPE', 'CRLF'));
    let csv = '';
    for await (const chunk of stream) csv += String(chunk);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('"N"');
    expect(lines[1]).toBe('"1000"');
    expect(lines.at(-2)).toBe('"4499"');
    expect(lines).toHaveLength(3500 + 2);
  });
});

describe('Bulk 2.0 result locators', () => {
  it('round-trips offsets and refuses strangers', () => {
    expect(decodeLocator(encodeLocator(10000), 20000)).toBe(10000);
    expect(decodeLocator(undefined, 5)).toBe(0);
    expect(() => decodeLocator('bogus!', 100)).toThrow(/Invalid locator: bogus!/);
    expect(() => decodeLocator(encodeLocator(101), 100)).toThrow(/Invalid locator/);
  });

  it('parses maxRecords or falls back to the default', () => {
    expect(parseMaxRecords(undefined, 50)).toBe(50);
    expect(parseMaxRecords('7', 50)).toBe(7);
    expect(() => parseMaxRecords('0', 50)).toThrow(/Invalid maxRecords: 0/);
    expect(() => parseMaxRecords('ten', 50)).toThrow(/Invalid maxRecords: ten/);
  });
});

describe('Bulk 2.0 job state transitions requested by clients', () => {
  it('lets an open ingest job close or abort, and refuses the rest', () => {
    expect(requestedTransition('ingest', 'Open', 'UploadComplete')).toBe('UploadComplete');
    expect(requestedTransition('ingest', 'InProgress', 'Aborted')).toBe('Aborted');
    expect(() => requestedTransition('ingest', 'JobComplete', 'Aborted')).toThrow(
      'Aborting already Completed Job not allowed',
    );
    expect(() => requestedTransition('ingest', 'Aborted', 'UploadComplete')).toThrow(
      'Closing already Aborted Job not allowed',
    );
    expect(() => requestedTransition('ingest', 'Open', 'JobComplete')).toThrow(/Invalid state "JobComplete"/);
  });

  it('lets a query job only abort', () => {
    expect(requestedTransition('query', 'InProgress', 'Aborted')).toBe('Aborted');
    expect(() => requestedTransition('query', 'UploadComplete', 'UploadComplete')).toThrow(/expected 'Aborted'/);
  });
});
