import { describe, expect, it } from 'vitest';
import { coerceRecord, coerceRow, coerceValue, toEighteen, ValueCoercionError } from '../../src/sync/coerce';
import type { ColumnSpec } from '../../src/sync/type-mapping';

describe('CSV and JSON value coercion', () => {
  it('treats the empty Bulk CSV field and JSON null as null', () => {
    for (const kind of ['text', 'id', 'boolean', 'integer', 'numeric', 'date', 'datetime', 'time'] as const) {
      expect(coerceValue(kind, '')).toBeNull();
      expect(coerceValue(kind, null)).toBeNull();
    }
  });

  it('converts booleans from CSV strings and JSON', () => {
    expect(coerceValue('boolean', 'true')).toBe('t');
    expect(coerceValue('boolean', false)).toBe('f');
    expect(() => coerceValue('boolean', 'yes')).toThrow(/not a boolean/);
  });

  it('normalises both Salesforce datetime spellings to an explicit UTC offset', () => {
    expect(coerceValue('datetime', '2024-01-01T10:00:00.000Z')).toBe('2024-01-01T10:00:00.000+00:00');
    expect(coerceValue('datetime', '2024-01-01T10:00:00.000+0000')).toBe('2024-01-01T10:00:00.000+00:00');
    expect(() => coerceValue('datetime', '2024-01-01')).toThrow(/not a datetime/);
  });

  it('keeps numbers exact as text and refuses non-numbers', () => {
    expect(coerceValue('numeric', '1234567890123.45')).toBe('1234567890123.45');
    expect(coerceValue('numeric', 12.5)).toBe('12.5');
    expect(coerceValue('integer', '42')).toBe('42');
    expect(() => coerceValue('integer', '4.2')).toThrow(/not an integer/);
    expect(() => coerceValue('numeric', 'NaN')).toThrow(/not a number/);
  });

  it('strips the Z of Salesforce times and validates dates', () => {
    expect(coerceValue('time', '10:30:00.000Z')).toBe('10:30:00.000');
    expect(coerceValue('date', '2024-02-29')).toBe('2024-02-29');
    expect(() => coerceValue('date', '29/02/2024')).toThrow(/not a date/);
  });

  it('normalises 15-character ids to 18 characters', () => {
    // walling/sfid: 001A0000006Vm9r → 001A0000006Vm9rIAC
    expect(toEighteen('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(coerceValue('id', '001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(() => coerceValue('id', "001' OR 1=1")).toThrow(/not a Salesforce id/);
  });

  it('names the object, record and field of a bad value', () => {
    const columns: ColumnSpec[] = [
      { field: 'Id', column: 'sfid', sqlType: 'varchar(18)', kind: 'id' },
      { field: 'NumberOfEmployees', column: 'numberofemployees', sqlType: 'integer', kind: 'integer' },
    ];
    const record: Record<string, unknown> = { Id: '00Q000000000001AAA', NumberOfEmployees: 'many' };
    expect(() => coerceRow('Lead', columns, (f) => record[f])).toThrow(ValueCoercionError);
    expect(() => coerceRow('Lead', columns, (f) => record[f])).toThrow(
      'Lead 00Q000000000001AAA field NumberOfEmployees: not an integer',
    );
  });

  it('fills a synthetic isdeleted column with false', () => {
    const columns: ColumnSpec[] = [
      { field: 'Id', column: 'sfid', sqlType: 'varchar(18)', kind: 'id' },
      { field: '', column: 'isdeleted', sqlType: 'boolean', kind: 'boolean' },
    ];
    expect(coerceRow('User', columns, () => '005000000000001AAA')).toEqual(['005000000000001AAA', 'f']);
  });

  it('converts a positional Bulk CSV record exactly as coerceRow converts the same values by name', () => {
    const columns: ColumnSpec[] = [
      { field: 'Id', column: 'sfid', sqlType: 'varchar(18)', kind: 'id' },
      { field: 'LastName', column: 'lastname', sqlType: 'varchar(80)', kind: 'text' },
      { field: 'NumberOfEmployees', column: 'numberofemployees', sqlType: 'integer', kind: 'integer' },
      { field: 'SystemModstamp', column: 'systemmodstamp', sqlType: 'timestamptz', kind: 'datetime' },
      { field: '', column: 'isdeleted', sqlType: 'boolean', kind: 'boolean' },
    ];
    const header = ['SystemModstamp', 'Id', 'NumberOfEmployees', 'LastName'];
    const positions = columns.map((c) => (c.field === '' ? -1 : header.indexOf(c.field)));
    const record = ['2024-01-01T10:00:00.000Z', '00Q000000000001', '', 'Ada'];
    const byName = (f: string) => record[header.indexOf(f)];
    expect(coerceRecord('Lead', columns, positions, record, 1)).toEqual(coerceRow('Lead', columns, byName));
    expect(coerceRecord('Lead', columns, positions, record, 1)).toEqual([
      '00Q000000000001EAA',
      'Ada',
      null,
      '2024-01-01T10:00:00.000+00:00',
      'f',
    ]);
    expect(() => coerceRecord('Lead', columns, positions, ['x', '00Q000000000001AAA', '12', 'Ada'], 1)).toThrow(
      'Lead 00Q000000000001AAA field SystemModstamp: not a datetime',
    );
  });
});
