import { parseQuery } from '@jetstreamapp/soql-parser-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCount, buildSelect, soqlString, SoqlBuildError } from '../../src/salesforce/soql';

interface ParsedWhere {
  left: { field: string; value: string; literalType: string };
  operator?: string;
  right?: ParsedWhere;
}
interface Parsed {
  sObject: string;
  fields: { field: string }[];
  limit?: number;
  where: ParsedWhere;
}

/** Undoes SOQL string escapes, as Salesforce reads a literal. */
function unescapeSoql(literal: string): string {
  const inner = literal.slice(1, -1);
  const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };
  return inner.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) =>
    c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (map[c] ?? c),
  );
}

describe('SOQL building', () => {
  it('builds the incremental pull query', () => {
    expect(
      buildSelect({
        object: 'Lead',
        fields: ['Id', 'SystemModstamp'],
        where: [{ field: 'SystemModstamp', op: '>=', value: new Date('2024-05-01T11:55:00Z') }],
        orderBy: ['SystemModstamp', 'Id'],
      }),
    ).toBe(
      'SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp >= 2024-05-01T11:55:00.000Z ORDER BY SystemModstamp, Id',
    );
    expect(buildCount('Subscription__c')).toBe('SELECT COUNT() FROM Subscription__c');
  });

  it('escapes quotes, backslashes and control characters in string literals', () => {
    expect(soqlString("O'Brien \\ \n")).toBe("'O\\'Brien \\\\ \\n'");
  });

  it('refuses names that are not Salesforce API names', () => {
    expect(() => buildSelect({ object: 'Lead WHERE 1=1', fields: ['Id'] })).toThrow(SoqlBuildError);
    expect(() => buildSelect({ object: 'Lead', fields: ['Id, (SELECT Id FROM Contacts)'] })).toThrow(
      /Invalid field name/,
    );
    expect(() => buildSelect({ object: 'Lead', fields: [] })).toThrow(/at least one field/);
    expect(() => buildSelect({ object: 'Lead', fields: ['Id'], limit: 0 })).toThrow(/Invalid LIMIT/);
  });

  it('never lets a hostile string change the shape of the query', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (hostile) => {
        const soql = buildSelect({
          object: 'Lead',
          fields: ['Id', 'Email'],
          where: [
            { field: 'Email', op: '=', value: hostile },
            { field: 'IsDeleted', op: '=', value: false },
          ],
          limit: 5,
        });
        const parsed = parseQuery(soql) as unknown as Parsed;
        expect(parsed.sObject).toBe('Lead');
        expect(parsed.fields.map((f) => f.field)).toEqual(['Id', 'Email']);
        expect(parsed.limit).toBe(5);
        expect(parsed.where.left.field).toBe('Email');
        expect(parsed.where.left.literalType).toBe('STRING');
        expect(unescapeSoql(parsed.where.left.value)).toBe(hostile);
        expect(parsed.where.operator).toBe('AND');
        expect(parsed.where.right!.left.field).toBe('IsDeleted');
        expect(parsed.where.right!.right).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('keeps injection attempts inside the literal', () => {
    const soql = buildSelect({
      object: 'Lead',
      fields: ['Id'],
      where: [{ field: 'Email', op: '=', value: "x' OR Name != '" }],
    });
    const parsed = parseQuery(soql) as unknown as Parsed;
    expect(parsed.where.right).toBeUndefined();
    expect(unescapeSoql(parsed.where.left.value)).toBe("x' OR Name != '");
  });
});
