import { describe, expect, it } from 'vitest';
import { canonicalNumber, ExactNumber, parseExactJson, stringifyExact } from '../../src/sync/exact-json';

describe('exact JSON numbers', () => {
  it('keeps numbers a double would round as their literal, and the rest as numbers', () => {
    const parsed = parseExactJson(
      '{"a":123456789012345678,"b":-999999999999999999,"c":1.5,"d":"x\\"1234567890123456","e":[1e21,null,true]}',
    ) as Record<string, unknown>;
    expect(parsed.a).toEqual(new ExactNumber('123456789012345678'));
    expect(String(parsed.b)).toBe('-999999999999999999');
    expect(parsed.c).toBe(1.5);
    expect(parsed.d).toBe('x"1234567890123456');
    expect(parsed.e).toEqual([1e21, null, true]);
  });

  it('writes ExactNumbers back as bare number literals', () => {
    expect(stringifyExact({ records: [{ BudgetedCost: new ExactNumber('123456789012345678'), Name: 'n' }] })).toBe(
      '{"records":[{"BudgetedCost":123456789012345678,"Name":"n"}]}',
    );
    expect(JSON.stringify({ v: new ExactNumber('12') })).toBe('{"v":"12"}');
  });

  it('compares numbers by decimal value without a double', () => {
    expect(canonicalNumber('5.0')).toBe(canonicalNumber(5));
    expect(canonicalNumber('0.050')).toBe(canonicalNumber(0.05));
    expect(canonicalNumber(1e21)).toBe(canonicalNumber('1000000000000000000000'));
    expect(canonicalNumber(new ExactNumber('123456789012345678'))).not.toBe(canonicalNumber(123456789012345680));
    expect(canonicalNumber('abc')).toBeNull();
  });
});
