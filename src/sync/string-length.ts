/**
 * Salesforce text lengths. Pure. Salesforce counts a text field's length in UTF-16 code units (a Java
 * String: https://developer.salesforce.com/docs/atlas.en-us.apexref.meta/apexref/apex_methods_system_string.htm),
 * PostgreSQL's varchar(n) counts characters (code points: https://www.postgresql.org/docs/current/datatype-character.html).
 * An emoji is one code point but two UTF-16 units, so a value PostgreSQL accepts can still be too long
 * for Salesforce; the push checks it before sending.
 */

const VARCHAR = /^varchar\((\d+)\)$/;

/** A value too long for its Salesforce field: the limit and the value's length in both counts. */
export interface LengthOverflow {
  limit: number;
  utf16Units: number;
  codePoints: number;
}

/** The overflow of `value` against the column's length (describe's, in UTF-16 units), or null when it fits or has no limit. */
export function utf16Overflow(sqlType: string, value: unknown): LengthOverflow | null {
  if (typeof value !== 'string') return null;
  const m = VARCHAR.exec(sqlType);
  if (!m) return null;
  const limit = Number(m[1]);
  // JavaScript string length is UTF-16 units already.
  if (value.length <= limit) return null;
  return { limit, utf16Units: value.length, codePoints: [...value].length };
}
