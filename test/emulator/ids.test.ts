import { describe, expect, it } from 'vitest';
import { idChecksum, isValidId, makeId, normalizeId } from '../../src/emulator/ids';

describe('record ids', () => {
  it('computes the case checksum block by block from uppercase positions', () => {
    // Blocks "00300" (no capitals → A), "00000" (A), "3T2PG": T=bit1, P=bit3, G=bit4 → 26 → "0".
    expect(idChecksum('00300000003T2PG')).toBe('AA0');
    // "aBCDe": B=bit1, C=bit2, D=bit3 → 14 → "O".
    expect(idChecksum('aBCDe00000ZZZZZ')).toBe('OA5');
  });

  it('normalises a 15-character id to 18 characters and keeps 18-character ids', () => {
    expect(normalizeId('00300000003T2PG')).toBe('00300000003T2PGAA0');
    expect(normalizeId('00300000003T2PGAA0')).toBe('00300000003T2PGAA0');
    expect(normalizeId('00300000003T2PGaa0')).toBe('00300000003T2PGAA0');
  });

  it('rejects malformed ids and 18-character ids whose suffix does not match', () => {
    expect(normalizeId('003')).toBeNull();
    expect(normalizeId('00300000003T2PG!')).toBeNull();
    expect(isValidId('00300000003T2PGAAA')).toBe(false);
  });

  it('makes distinct 18-character ids with the key prefix and a valid checksum', () => {
    const a = makeId('00Q', '5g', 1);
    const b = makeId('00Q', '5g', 62);
    expect(a).toHaveLength(18);
    expect(a.startsWith('00Q5g')).toBe(true);
    expect(a).not.toBe(b);
    expect(normalizeId(a.slice(0, 15))).toBe(a);
  });
});
