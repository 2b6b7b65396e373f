// Conversions between the three value forms: JSON as the REST API sends and receives it,
// stored (compact: epoch seconds for datetimes, epoch days for dates), and CSV strings as
// Bulk API 2.0 carries them. Datetimes are `2024-01-01T00:00:00.000+0000` in JSON and
// `2024-01-01T00:00:00.000Z` in CSV (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_date_format.htm).
import { recordError, type RecordError } from './errors';
import { normalizeId } from './ids';
import type { FieldDef } from './schema';
import { ExactNumber } from '../sync/exact-json';

const DAY_SECONDS = 86_400;

/** Formats whole epoch seconds as a REST datetime (`…T…000+0000`). */
export function formatDateTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('Z', '+0000');
}

/** Formats epoch days as `YYYY-MM-DD`. */
export function formatDate(days: number): string {
  return new Date(days * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses an ISO datetime (`Z`, `+0000` or `+00:00`, optional fraction) to epoch seconds (with fraction), or null. */
export function parseDateTime(text: string): number | null {
  const m = DATETIME_RE.exec(text.trim());
  if (!m) {
    const d = DATE_RE.exec(text.trim());
    return d ? Date.UTC(+d[1], +d[2] - 1, +d[3]) / 1000 : null;
  }
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (m[7]) ms += Math.floor(Number(m[7]) * 1000);
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** Parses `YYYY-MM-DD` to epoch days, or null. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text.trim()) ?? DATETIME_RE.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000 / DAY_SECONDS);
}

/** Epoch days of the UTC day containing `seconds`. */
export function dayOf(seconds: number): number {
  return Math.floor(seconds / DAY_SECONDS);
}

/** Converts a stored value to its REST JSON form. */
export function toJsonValue(field: FieldDef, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null;
  switch (field.type) {
    case 'datetime':
      return formatDateTime(stored as number);
    case 'date':
      return formatDate(stored as number);
    default:
      return stored;
  }
}

/** Converts a stored value to its Bulk CSV form (empty string for null). */
export function toCsvValue(field: FieldDef, stored: unknown): string {
  if (stored === null || stored === undefined) return '';
  switch (field.type) {
    case 'datetime':
      return new Date((stored as number) * 1000).toISOString();
    case 'date':
      return formatDate(stored as number);
    case 'boolean':
      return stored ? 'true' : 'false';
    case 'address':
      return '';
    default:
      return String(stored);
  }
}

/**
 * Converts a Bulk CSV cell to the JSON-typed value `coerceInput` takes: `#N/A` is an explicit
 * null, the empty string means "leave unchanged" (undefined), other text is typed by the field.
 */
export function csvToJsonValue(field: FieldDef, text: string): unknown {
  if (text === '') return undefined;
  if (text === '#N/A') return null;
  switch (field.type) {
    case 'boolean':
      return /^(true|1|yes)$/i.test(text) ? true : /^(false|0|no)$/i.test(text) ? false : text;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      // Past a double's 15 digits the text is kept exact (coerceInput checks it as Salesforce would).
      if (/^-?\d{16,}(\.\d+)?$/.test(text)) return new ExactNumber(text);
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    default:
      return text;
  }
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Result of coercing one input value: the stored value, or the per-record error. */
export type Coerced = { ok: true; value: unknown } | { ok: false; error: RecordError };

function fail(statusCode: string, message: string, field: FieldDef): Coerced {
  return { ok: false, error: recordError(statusCode, message, [field.name]) };
}

/**
 * A number too long for a double, checked and kept by its text: Salesforce holds up to 18 digits
 * exactly (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm).
 */
function coerceExact(field: FieldDef, text: string): Coerced {
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return fail('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${text}`, field);
  const integerDigits = field.type === 'int' ? field.digits : field.precision - field.scale;
  if (m[1]!.replace(/^0+(?=\d)/, '').length > integerDigits) {
    return fail(
      'NUMBER_OUTSIDE_VALID_RANGE',
      `${field.label}: value outside of valid range on numeric field: ${text}`,
      field,
    );
  }
  const fraction = (m[2] ?? '').slice(0, field.scale).replace(/0+$/, '');
  return {
    ok: true,
    value: new ExactNumber(
      `${text.startsWith('-') ? '-' : ''}${m[1]!.replace(/^0+(?=\d)/, '')}${fraction ? `.${fraction}` : ''}`,
    ),
  };
}

/**
 * Converts a JSON input value for `field` to its stored form, checking type, length and
 * numeric range as Salesforce does on save. Picklist membership is checked by the store.
 */
export function coerceInput(field: FieldDef, value: unknown): Coerced {
  if (value === null || value === undefined || value === '') {
    return { ok: true, value: field.type === 'boolean' ? false : null };
  }
  const wrongType = (): Coerced =>
    fail('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${String(value)}`, field);
  switch (field.type) {
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return wrongType();
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      if (value instanceof ExactNumber || (typeof value === 'string' && /^-?\d{16,}(\.\d+)?$/.test(value.trim())))
        return coerceExact(field, String(value).trim());
      const n =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return wrongType();
      if (field.type === 'int' && !Number.isInteger(n)) return wrongType();
      const integerDigits = field.type === 'int' ? field.digits : field.precision - field.scale;
      if (Math.abs(Math.trunc(n)).toString().length > integerDigits) {
        return fail(
          'NUMBER_OUTSIDE_VALID_RANGE',
          `${field.label}: value outside of valid range on numeric field: ${n}`,
          field,
        );
      }
      const factor = 10 ** field.scale;
      return { ok: true, value: field.type === 'int' ? n : Math.round(n * factor) / factor };
    }
    case 'date': {
      const d = typeof value === 'string' ? parseDate(value) : null;
      return d === null ? wrongType() : { ok: true, value: d };
    }
    case 'datetime': {
      const s = typeof value === 'string' ? parseDateTime(value) : typeof value === 'number' ? value / 1000 : null;
      return s === null ? wrongType() : { ok: true, value: Math.floor(s) };
    }
    case 'reference':
    case 'id': {
      const id = normalizeId(value);
      if (!id) return fail('MALFORMED_ID', `${field.label}: id value of incorrect type: ${String(value)}`, field);
      return { ok: true, value: id };
    }
    default: {
      if (typeof value === 'object') return wrongType();
      const text = String(value);
      if (field.length > 0 && text.length > field.length) {
        const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
        return fail(
          'STRING_TOO_LONG',
          `${field.label}: data value too large: ${shown} (max length=${field.length})`,
          field,
        );
      }
      if (field.type === 'email' && !EMAIL_RE.test(text)) {
        return fail('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, field);
      }
      return { ok: true, value: text };
    }
  }
}
