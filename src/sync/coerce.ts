/**
 * Salesforce values → PostgreSQL text input, by the column's describe type. Pure. Bulk API 2.0 CSV
 * delivers every value as a string with null as an empty field; REST JSON is typed with datetimes like
 * `2024-01-01T00:00:00.000+0000` (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm; https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm). Both end up as one canonical
 * text form PostgreSQL parses, or null; a value that cannot be of its type is refused with the field named.
 */
import type { ColumnSpec, ValueKind } from './type-mapping';

/**
 * Thrown when a Salesforce value does not fit its describe type or its column; the message names
 * object, record and field. The pull and the copy quarantine that record (src/db/quarantine.ts).
 */
export class ValueCoercionError extends Error {
  override readonly name = 'ValueCoercionError';
  constructor(
    message: string,
    readonly detail?: { object: string; sfid: string | null; field: string; value: string; reason: string },
  ) {
    super(message);
  }
}

/** A short, bounded summary of a refused value for the quarantine and the logs (never a whole long text). */
export function summariseValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const shown = text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text;
  return JSON.stringify(shown);
}

function refusal(object: string, id: unknown, field: string, raw: unknown, reason: string): ValueCoercionError {
  const sfid = typeof id === 'string' && id !== '' ? id : null;
  return new ValueCoercionError(`${object} ${sfid ?? '(no Id)'} field ${field}: ${reason}`, {
    object,
    sfid,
    field,
    value: summariseValue(raw),
    reason,
  });
}

const NUMERIC_TYPE = /^numeric\((\d+),(\d+)\)$/;

/**
 * Why a coerced value cannot be stored in its column, or null when it can: PostgreSQL text cannot hold
 * U+0000 (https://www.postgresql.org/docs/current/datatype-character.html), and numeric(p,s) holds at
 * most p−s integer digits (https://www.postgresql.org/docs/current/datatype-numeric.html).
 */
export function columnRefusal(column: Pick<ColumnSpec, 'sqlType' | 'kind'>, text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which PostgreSQL text cannot hold';
  if (column.kind !== 'numeric') return null;
  const type = NUMERIC_TYPE.exec(column.sqlType);
  if (!type) return null;
  const limit = Number(type[1]) - Number(type[2]);
  const m = /^-?0*(\d*)(?:\.\d*)?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) return null;
  const digits = m[1]!.length + Number(m[2] ?? 0);
  return digits > limit ? `${digits} integer digits do not fit ${column.sqlType} (at most ${limit})` : null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Salesforce datetimes: `2024-01-01T00:00:00.000Z` (CSV) or `…+0000` (JSON); offsets are normalised
// to `+00:00`, which PostgreSQL accepts in every DateStyle.
const DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/;
const TIME = /^(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)Z?$/;
const INTEGER = /^-?\d+$/;
const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Converts one value from a Bulk CSV cell (a string) or REST JSON to PostgreSQL text, or null. */
export function coerceValue(kind: ValueKind, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  switch (kind) {
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'id': {
      const text = String(value);
      if (!ID.test(text)) throw new Error(`not a Salesforce id: ${JSON.stringify(text)}`);
      return text.length === 18 ? text : toEighteen(text);
    }
    case 'boolean': {
      if (value === true || value === 'true' || value === 'TRUE' || value === 'True') return 't';
      if (value === false || value === 'false' || value === 'FALSE' || value === 'False') return 'f';
      throw new Error(`not a boolean: ${JSON.stringify(value)}`);
    }
    case 'integer': {
      const text = typeof value === 'number' ? String(value) : String(value).trim();
      if (!INTEGER.test(text)) throw new Error(`not an integer: ${JSON.stringify(value)}`);
      return text;
    }
    case 'numeric': {
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new Error(`not a finite number: ${String(value)}`);
        return String(value);
      }
      const text = String(value).trim();
      if (!NUMERIC.test(text)) throw new Error(`not a number: ${JSON.stringify(value)}`);
      return text;
    }
    case 'date': {
      const text = String(value);
      if (!DATE.test(text)) throw new Error(`not a date: ${JSON.stringify(value)}`);
      return text;
    }
    case 'datetime': {
      const match = DATETIME.exec(String(value));
      if (!match) throw new Error(`not a datetime: ${JSON.stringify(value)}`);
      return `${match[1]}${normaliseOffset(match[2]!)}`;
    }
    case 'time': {
      const match = TIME.exec(String(value));
      if (!match) throw new Error(`not a time: ${JSON.stringify(value)}`);
      return match[1]!;
    }
  }
}

function normaliseOffset(offset: string): string {
  if (offset === 'Z') return '+00:00';
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

/**
 * Converts one record's values (by column, in column order) to PostgreSQL text.
 * `read(field)` returns the raw value of a Salesforce field; columns with no field (a synthetic
 * isdeleted) read as false. Throws ValueCoercionError naming the object, record and field.
 */
export function coerceRow(
  object: string,
  columns: readonly ColumnSpec[],
  read: (field: string) => unknown,
): (string | null)[] {
  const row: (string | null)[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    if (column.field === '') {
      row[i] = 'f';
      continue;
    }
    const raw = read(column.field);
    let text: string | null;
    try {
      text = coerceValue(column.kind, raw);
    } catch (error) {
      throw refusal(object, read('Id'), column.field, raw, (error as Error).message);
    }
    const refused = text === null ? null : columnRefusal(column, text);
    if (refused) throw refusal(object, read('Id'), column.field, raw, refused);
    row[i] = text;
  }
  return row;
}

/**
 * Converts one positional record (a Bulk CSV row) to PostgreSQL text: `positions[i]` is the record
 * index holding column i's field, or -1 for a column with no field (a synthetic isdeleted, false).
 * Throws ValueCoercionError naming the object, record and field, like `coerceRow`.
 */
export function coerceRecord(
  object: string,
  columns: readonly ColumnSpec[],
  positions: readonly number[],
  record: readonly string[],
  idPosition: number,
): (string | null)[] {
  const row: (string | null)[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const at = positions[i]!;
    if (at < 0) {
      row[i] = 'f';
      continue;
    }
    const raw = record[at];
    // Text is most of a record and needs no check: skip the switch.
    const id = () => (idPosition >= 0 ? record[idPosition] : undefined);
    if (raw === undefined || raw === '') row[i] = null;
    else if (columns[i]!.kind === 'text') {
      if (raw.includes('\u0000')) throw refusal(object, id(), columns[i]!.field, raw, columnRefusal(columns[i]!, raw)!);
      row[i] = raw;
    } else {
      let text: string | null;
      try {
        text = coerceValue(columns[i]!.kind, raw);
      } catch (error) {
        throw refusal(object, id(), columns[i]!.field, raw, (error as Error).message);
      }
      const refused = text === null ? null : columnRefusal(columns[i]!, text);
      if (refused) throw refusal(object, id(), columns[i]!.field, raw, refused);
      row[i] = text;
    }
  }
  return row;
}

/** A record refused by `coerceRows`: which field, its value's summary and why. */
export interface RefusedRecord {
  sfid: string;
  field: string;
  value: string;
  reason: string;
}

/**
 * Coerces a page of REST records, setting aside each record with a value that cannot be stored instead
 * of failing the page: one poison record must not stop its object. A refusal without an Id is rethrown.
 */
export function coerceRows(
  object: string,
  columns: readonly ColumnSpec[],
  records: readonly Record<string, unknown>[],
): { rows: (string | null)[][]; refused: RefusedRecord[] } {
  const rows: (string | null)[][] = [];
  const refused: RefusedRecord[] = [];
  for (const record of records) {
    try {
      rows.push(coerceRow(object, columns, (field) => record[field]));
    } catch (error) {
      const detail = error instanceof ValueCoercionError ? error.detail : undefined;
      if (!detail?.sfid) throw error;
      refused.push({ sfid: toEighteen(detail.sfid), field: detail.field, value: detail.value, reason: detail.reason });
    }
  }
  return { rows, refused };
}

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character form of a 15-character Salesforce id (checksum per 5-character block; https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm). */
export function toEighteen(id: string): string {
  if (id.length === 18) return id;
  if (id.length !== 15) throw new Error(`not a Salesforce id: ${JSON.stringify(id)}`);
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(block * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET[bits];
  }
  return id + suffix;
}
