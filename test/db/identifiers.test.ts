import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierFor, InvalidIdentifierError, qualifiedName, quoteIdentifier } from '../../src/db/identifiers';

describe('SQL identifier quoting', () => {
  it('quotes lowercase identifiers and lowercases API names', () => {
    expect(quoteIdentifier('subscription__c')).toBe('"subscription__c"');
    expect(qualifiedName('salesforce', 'lead')).toBe('"salesforce"."lead"');
    expect(identifierFor('Subscription__c')).toBe('subscription__c');
  });

  it('refuses quotes, spaces, uppercase, empty and over-long names', () => {
    for (const bad of ['a"b', 'a b', 'Lead', '', '1abc', 'x'.repeat(64), 'drop table;']) {
      expect(() => quoteIdentifier(bad)).toThrow(InvalidIdentifierError);
    }
    expect(() => quoteIdentifier('x'.repeat(63))).not.toThrow();
  });

  it('either refuses a string or returns exactly one double-quoted identifier', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (s) => {
        let quoted: string;
        try {
          quoted = quoteIdentifier(s);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidIdentifierError);
          return;
        }
        expect(quoted).toBe(`"${s}"`);
        expect(quoted.slice(1, -1)).not.toMatch(/["\s;]/);
      }),
      { numRuns: 1000 },
    );
  });
});
