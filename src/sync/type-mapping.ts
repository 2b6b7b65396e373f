/**
 * Salesforce describe → PostgreSQL columns. Pure: given the fields the sync user can see, decides which
 * become columns and with what type. Fields hidden by field-level security are absent from describe
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm), so "one column per described field" is exactly the credential's scope.
 */
import { identifierFor } from './identifier-rules';

/** The subset of a describe field Tandem reads. */
export interface FieldDescription {
  name: string;
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  digits?: number;
  referenceTo?: string[] | null;
  calculated?: boolean;
  compoundFieldName?: string | null;
  /** Whether the sync user may set the field on insert / update (push side; absent in old states). */
  createable?: boolean;
  updateable?: boolean;
  externalId?: boolean;
}

/** How a column's values are coerced on the way in (see sync/coerce.ts). */
export type ValueKind = 'id' | 'text' | 'boolean' | 'integer' | 'numeric' | 'date' | 'datetime' | 'time';

/** One synced field: its Salesforce name, its PostgreSQL column, SQL type and value kind. */
export interface ColumnSpec {
  field: string;
  column: string;
  sqlType: string;
  kind: ValueKind;
  /** From describe: whether the sync user may set it on insert / update, and whether it is an external id. */
  createable?: boolean;
  updateable?: boolean;
  externalId?: boolean;
}

/** The column that holds the record Id (Heroku Connect's convention, which downstream SQL expects). */
export const ID_COLUMN = 'sfid';

/** The soft-delete flag; every table has it, even for objects whose describe has no IsDeleted. */
export const DELETED_COLUMN = 'isdeleted';

/** Salesforce record ids are always 18 characters in API responses (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm). */
const ID_TYPE = 'varchar(18)';

// PostgreSQL's varchar limit is 10,485,760 characters; Salesforce long text areas stop at 131,072,
// so every describe length fits, but a nonsense length falls back to unbounded text.
const MAX_VARCHAR = 10_485_760;

// Compound fields (BillingAddress, a geolocation) are also delivered as their components
// (BillingStreet …, Lat__Latitude__s); Bulk API 2.0 rejects compound fields outright
// (https://developer.salesforce.com/docs/atlas.en-us.238.0.api_asynch.meta/api_asynch/queries.htm), so only the components are synced. base64 bodies are not queryable
// in bulk and can be megabytes per row: not synced.
const SKIPPED_TYPES = new Set(['address', 'location', 'base64']);

const TEXT_TYPES = new Set(['string', 'textarea', 'picklist', 'email', 'phone', 'url', 'combobox', 'encryptedstring']);

/** Thrown when describe output cannot be mapped (no Id field, duplicate column); names object and field. */
export class SchemaMappingError extends Error {
  override readonly name = 'SchemaMappingError';
}

/** The column for one describe field, or null when the field is not synced (compound, base64). */
export function columnFor(field: FieldDescription): ColumnSpec | null {
  const type = field.type;
  if (SKIPPED_TYPES.has(type)) return null;
  const column = field.name === 'Id' ? ID_COLUMN : identifierFor(field.name);
  const access = {
    ...(field.createable !== undefined && { createable: field.createable }),
    ...(field.updateable !== undefined && { updateable: field.updateable }),
    ...(field.externalId && { externalId: true }),
  };
  const spec = (sqlType: string, kind: ValueKind): ColumnSpec => ({
    field: field.name,
    column,
    sqlType,
    kind,
    ...access,
  });
  if (type === 'id' || type === 'reference') return spec(ID_TYPE, 'id');
  if (TEXT_TYPES.has(type)) {
    // Describe's numbers go into DDL: anything but an integer (a malformed or hostile describe) maps to plain text.
    const length = field.length ?? 0;
    return Number.isInteger(length) && length > 0 && length <= MAX_VARCHAR
      ? spec(`varchar(${length})`, 'text')
      : spec('text', 'text');
  }
  switch (type) {
    case 'multipicklist':
    case 'anyType':
      return spec('text', 'text');
    case 'boolean':
      return spec('boolean', 'boolean');
    case 'int':
      // describe gives `digits` for int fields; up to 9 digits fits a 32-bit integer.
      return spec((field.digits ?? 9) <= 9 ? 'integer' : 'bigint', 'integer');
    case 'long':
      return spec('bigint', 'integer');
    case 'double':
    case 'currency':
    case 'percent':
      return spec(numericType(field), 'numeric');
    case 'date':
      return spec('date', 'date');
    case 'datetime':
      return spec('timestamptz', 'datetime');
    case 'time':
      return spec('time', 'time');
    default:
      // A type newer than this mapping: keep the value as text rather than drop the field.
      return spec('text', 'text');
  }
}

/** numeric(p,s) from describe precision/scale; unconstrained numeric when describe gives none. */
function numericType(field: FieldDescription): string {
  const precision = field.precision ?? 0;
  const scale = field.scale ?? 0;
  if (!Number.isInteger(precision) || !Number.isInteger(scale)) return 'numeric'; // they go into DDL: integers only
  if (precision <= 0 || precision > 1000 || scale < 0 || scale > precision) return 'numeric';
  return `numeric(${precision},${scale})`;
}

/**
 * Every synced column for an object's describe, `sfid` first, plus `isdeleted` when describe lacks it.
 * Throws SchemaMappingError when there is no Id field or two fields map to one column.
 */
export function columnsFor(object: string, fields: readonly FieldDescription[]): ColumnSpec[] {
  const columns: ColumnSpec[] = [];
  const seen = new Map<string, string>();
  for (const field of fields) {
    const spec = columnFor(field);
    if (!spec) continue;
    const clash = seen.get(spec.column);
    if (clash)
      throw new SchemaMappingError(`${object}: fields ${clash} and ${field.name} both map to column ${spec.column}`);
    seen.set(spec.column, field.name);
    columns.push(spec);
  }
  const idIndex = columns.findIndex((c) => c.column === ID_COLUMN);
  if (idIndex < 0) throw new SchemaMappingError(`${object}: describe has no Id field visible to the sync user`);
  const [id] = columns.splice(idIndex, 1);
  columns.unshift(id!);
  if (!seen.has(DELETED_COLUMN))
    columns.push({ field: '', column: DELETED_COLUMN, sqlType: 'boolean', kind: 'boolean' });
  return columns;
}

/** The Salesforce fields to SELECT for a column list (excludes Tandem-only columns such as a synthetic isdeleted). */
export function selectedFields(columns: readonly ColumnSpec[]): string[] {
  return columns.filter((c) => c.field !== '').map((c) => c.field);
}

/** What changing a column's type requires: nothing, a safe widening, or an incompatible change. */
export type TypeChange = 'same' | 'widen' | 'incompatible';

/** Compares an existing column type with the type describe now asks for. */
export function compareTypes(existing: string, wanted: string): TypeChange {
  const a = normaliseType(existing);
  const b = normaliseType(wanted);
  if (a === b) return 'same';
  const va = /^varchar\((\d+)\)$/.exec(a);
  const vb = /^varchar\((\d+)\)$/.exec(b);
  if (va && vb) return Number(vb[1]) >= Number(va[1]) ? 'widen' : 'same'; // never shrink: data stays
  if (va && b === 'text') return 'widen';
  if (a === 'text' && vb) return 'same'; // text already holds any varchar value
  const na = /^numeric\((\d+),(\d+)\)$/.exec(a);
  const nb = /^numeric\((\d+),(\d+)\)$/.exec(b);
  if (na && nb) {
    const widens = Number(nb[2]) >= Number(na[2]) && Number(nb[1]) - Number(nb[2]) >= Number(na[1]) - Number(na[2]);
    return widens ? 'widen' : 'same';
  }
  if (na && b === 'numeric') return 'widen';
  if (a === 'integer' && b === 'bigint') return 'widen';
  if ((a === 'integer' || a === 'bigint') && (b === 'numeric' || nb)) return 'widen';
  return 'incompatible';
}

/** Maps PostgreSQL's catalog spellings (`character varying(80)`, `timestamp with time zone`) to ours. */
export function normaliseType(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  return t
    .replace(/^character varying/, 'varchar')
    .replace(/^timestamp with time zone$/, 'timestamptz')
    .replace(/^time without time zone$/, 'time')
    .replace(/\s*,\s*/g, ',')
    .replace(/\s*\(\s*/g, '(');
}
