import { describe, expect, it } from 'vitest';
import {
  columnFor,
  columnsFor,
  compareTypes,
  SchemaMappingError,
  type FieldDescription,
} from '../../src/sync/type-mapping';

const f = (name: string, type: string, extra: Partial<FieldDescription> = {}): FieldDescription => ({
  name,
  type,
  ...extra,
});

describe('describe type → PostgreSQL column', () => {
  it('maps ids and references to 18-character varchar, Id to sfid', () => {
    expect(columnFor(f('Id', 'id'))).toEqual({ field: 'Id', column: 'sfid', sqlType: 'varchar(18)', kind: 'id' });
    expect(columnFor(f('OwnerId', 'reference', { referenceTo: ['Group', 'User'] }))).toMatchObject({
      column: 'ownerid',
      sqlType: 'varchar(18)',
      kind: 'id',
    });
  });

  it('maps strings by length and keeps unbounded text for multipicklists', () => {
    expect(columnFor(f('Company', 'string', { length: 255 }))?.sqlType).toBe('varchar(255)');
    expect(columnFor(f('Description', 'textarea', { length: 32000 }))?.sqlType).toBe('varchar(32000)');
    expect(columnFor(f('Email', 'email', { length: 80 }))?.sqlType).toBe('varchar(80)');
    expect(columnFor(f('Status', 'picklist', { length: 40 }))?.sqlType).toBe('varchar(40)');
    expect(columnFor(f('Interests__c', 'multipicklist', { length: 4099 }))?.sqlType).toBe('text');
    expect(columnFor(f('Weird', 'string', { length: 0 }))?.sqlType).toBe('text');
  });

  it('maps numbers with their precision and scale', () => {
    expect(columnFor(f('AnnualRevenue', 'currency', { precision: 18, scale: 0 }))?.sqlType).toBe('numeric(18,0)');
    expect(columnFor(f('Monthly_Amount__c', 'currency', { precision: 16, scale: 2 }))?.sqlType).toBe('numeric(16,2)');
    expect(columnFor(f('Probability', 'percent', { precision: 3, scale: 0 }))?.sqlType).toBe('numeric(3,0)');
    expect(columnFor(f('Score', 'double', {}))?.sqlType).toBe('numeric');
    expect(columnFor(f('NumberOfEmployees', 'int', { digits: 8 }))?.sqlType).toBe('integer');
    expect(columnFor(f('Big', 'int', { digits: 18 }))?.sqlType).toBe('bigint');
  });

  it('maps boolean, date, datetime and time', () => {
    expect(columnFor(f('IsDeleted', 'boolean'))?.sqlType).toBe('boolean');
    expect(columnFor(f('ConvertedDate', 'date'))?.sqlType).toBe('date');
    expect(columnFor(f('SystemModstamp', 'datetime'))?.sqlType).toBe('timestamptz');
    expect(columnFor(f('StartTime__c', 'time'))?.sqlType).toBe('time');
  });

  it('skips compound address and location fields but keeps their components', () => {
    const fields = [
      f('Id', 'id'),
      f('Address', 'address'),
      f('Street', 'textarea', { length: 255, compoundFieldName: 'Address' }),
      f('Geo__c', 'location'),
      f('Body', 'base64'),
    ];
    expect(columnsFor('Lead', fields).map((c) => c.column)).toEqual(['sfid', 'street', 'isdeleted']);
  });

  it('puts sfid first and adds an isdeleted flag only when describe has none', () => {
    const withFlag = columnsFor('Lead', [
      f('Name', 'string', { length: 80 }),
      f('IsDeleted', 'boolean'),
      f('Id', 'id'),
    ]);
    expect(withFlag.map((c) => c.column)).toEqual(['sfid', 'name', 'isdeleted']);
    expect(withFlag[2]!.field).toBe('IsDeleted');
    const user = columnsFor('User', [f('Id', 'id'), f('Username', 'string', { length: 80 })]);
    expect(user.at(-1)).toEqual({ field: '', column: 'isdeleted', sqlType: 'boolean', kind: 'boolean' });
  });

  it('lowercases custom field names and keeps __c', () => {
    expect(columnFor(f('Lead_Score__c', 'double', { precision: 3, scale: 0 }))?.column).toBe('lead_score__c');
  });

  it('refuses a describe without Id, naming the object', () => {
    expect(() => columnsFor('Lead', [f('Name', 'string', { length: 80 })])).toThrow(/Lead: describe has no Id field/);
    expect(() => columnsFor('Lead', [f('Id', 'id'), f('Name', 'string')])).not.toThrow();
  });

  it('refuses an API name that is not an identifier', () => {
    expect(() => columnFor(f('Bad"Name', 'string', { length: 10 }))).toThrow(/Invalid SQL identifier/);
  });

  it('refuses two fields mapping to one column', () => {
    expect(() => columnsFor('X__c', [f('Id', 'id'), f('Name', 'string'), f('NAME', 'string')])).toThrow(
      SchemaMappingError,
    );
  });
});

describe('type changes', () => {
  it('widens varchar and numeric, never shrinks, and flags incompatible changes', () => {
    expect(compareTypes('character varying(80)', 'varchar(80)')).toBe('same');
    expect(compareTypes('character varying(80)', 'varchar(255)')).toBe('widen');
    expect(compareTypes('character varying(255)', 'varchar(80)')).toBe('same');
    expect(compareTypes('numeric(16,2)', 'numeric(18,2)')).toBe('widen');
    expect(compareTypes('timestamp with time zone', 'timestamptz')).toBe('same');
    expect(compareTypes('integer', 'bigint')).toBe('widen');
    expect(compareTypes('boolean', 'varchar(10)')).toBe('incompatible');
    expect(compareTypes('character varying(10)', 'date')).toBe('incompatible');
  });
});
