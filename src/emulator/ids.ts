// Salesforce record ids: 15 case-sensitive characters (3-character key prefix, then the pod/
// counter part) plus a 3-character suffix that encodes the case of the first 15, so the
// 18-character form survives case-insensitive systems (walling/sfid index.js).

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[A-Za-z0-5]{3})?$/;

/** Computes the 3-character case-checksum suffix of a 15-character id. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(block * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** True when `value` looks like a 15- or 18-character id whose suffix (if any) matches. */
export function isValidId(value: unknown): value is string {
  if (typeof value !== 'string' || !ID_SHAPE.test(value)) return false;
  return value.length === 15 || idChecksum(value.slice(0, 15)) === value.slice(15).toUpperCase();
}

/** Returns the 18-character form of a valid 15- or 18-character id, or null when malformed. */
export function normalizeId(value: unknown): string | null {
  if (!isValidId(value)) return null;
  if (value.length === 18) return value.slice(0, 15) + value.slice(15).toUpperCase();
  return value + idChecksum(value);
}

/** The 3-character key prefix of an id (e.g. `00Q` for Lead). */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/**
 * Builds the 18-character id of the `counter`-th record with `keyPrefix` in an org whose
 * instance part is `pod` (2 characters, e.g. `5g`), like `00Q5g000001AbCdEAF`.
 */
export function makeId(keyPrefix: string, pod: string, counter: number): string {
  let body = '';
  let n = counter;
  for (let i = 0; i < 10; i++) {
    body = BASE62[n % 62] + body;
    n = Math.floor(n / 62);
  }
  const id15 = keyPrefix + pod + body;
  return id15 + idChecksum(id15);
}
