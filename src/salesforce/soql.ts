/**
 * The one module that builds SOQL. Queries are assembled from validated names and escaped literals, so a
 * hostile value (a record field, a config string) can never change a query's shape. Nothing else in
 * Tandem concatenates SOQL.
 */

/** Thrown for a name or value that cannot appear in SOQL; the message names it. */
export class SoqlBuildError extends Error {
  override readonly name = 'SoqlBuildError';
}

// Salesforce API names: a letter, then letters, digits and single underscores, custom ones ending in
// `__c`/`__r`, managed packages prefixed `ns__`. Relationship paths join names with dots (`Owner.Name`).
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const PATH = /^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,4}$/;

/** Returns `name` unchanged if it is a valid sObject API name; throws SoqlBuildError otherwise. */
export function soqlObjectName(name: string): string {
  if (!NAME.test(name)) throw new SoqlBuildError(`Invalid sObject name ${JSON.stringify(name)}`);
  return name;
}

/** Returns `path` unchanged if it is a valid field name or relationship path; throws SoqlBuildError otherwise. */
export function soqlFieldName(path: string): string {
  if (!PATH.test(path)) throw new SoqlBuildError(`Invalid field name ${JSON.stringify(path)}`);
  return path;
}

// SOQL string escapes (SOQL reference, "Quoted String Escape Sequences"): \n \r \t \b \f \" \' \\,
// and \uXXXX for the Unicode line and paragraph separators, which SOQL's lexer treats as line breaks:
// raw inside a literal they make the query unparsable (found by test/security/soql-injection.test.ts).
const ESCAPES: Record<string, string> = {
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A quoted SOQL string literal with every special character escaped. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f\u2028\u2029]/g, (c) => ESCAPES[c]!)}'`;
}

/** A SOQL datetime literal (unquoted, UTC, whole milliseconds): `2024-01-01T00:00:00.000Z`. */
export function soqlDateTime(value: Date): string {
  if (Number.isNaN(value.getTime())) throw new SoqlBuildError('Invalid datetime literal: not a valid Date');
  return value.toISOString();
}

/** A value that may appear on the right of a comparison. */
export type SoqlValue = string | number | boolean | Date | null;

/** Formats a value as a SOQL literal. */
export function soqlLiteral(value: SoqlValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return soqlString(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SoqlBuildError(`Invalid number literal ${String(value)}`);
    return String(value);
  }
  return soqlDateTime(value);
}

/** One comparison of a WHERE clause; conditions of a query are ANDed. */
export interface SoqlCondition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=';
  value: SoqlValue;
}

/** A SELECT to build: object, fields, ANDed conditions, order and limit. */
export interface SelectSpec {
  object: string;
  fields: readonly string[];
  where?: readonly SoqlCondition[];
  orderBy?: readonly string[];
  limit?: number;
}

const OPERATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);

/** Builds `SELECT … FROM … [WHERE …] [ORDER BY …] [LIMIT n]` from validated parts. */
export function buildSelect(spec: SelectSpec): string {
  if (spec.fields.length === 0) throw new SoqlBuildError(`SELECT on ${spec.object} needs at least one field`);
  let soql = `SELECT ${spec.fields.map(soqlFieldName).join(', ')} FROM ${soqlObjectName(spec.object)}`;
  if (spec.where && spec.where.length > 0) {
    const conditions = spec.where.map((c) => {
      if (!OPERATORS.has(c.op)) throw new SoqlBuildError(`Invalid operator ${JSON.stringify(c.op)}`);
      if (c.value === null && c.op !== '=' && c.op !== '!=')
        throw new SoqlBuildError(`null compares only with = or !=`);
      return `${soqlFieldName(c.field)} ${c.op} ${soqlLiteral(c.value)}`;
    });
    soql += ` WHERE ${conditions.join(' AND ')}`;
  }
  if (spec.orderBy && spec.orderBy.length > 0) soql += ` ORDER BY ${spec.orderBy.map(soqlFieldName).join(', ')}`;
  if (spec.limit !== undefined) {
    if (!Number.isInteger(spec.limit) || spec.limit < 1) throw new SoqlBuildError(`Invalid LIMIT ${spec.limit}`);
    soql += ` LIMIT ${spec.limit}`;
  }
  return soql;
}

/** Record ids are 15 or 18 characters of [a-zA-Z0-9]; anything else would be a bug upstream. */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Builds `SELECT fields FROM object WHERE Id IN ('…', …)` for a bounded list of record ids. */
export function buildSelectByIds(object: string, fields: readonly string[], ids: readonly string[]): string {
  if (fields.length === 0) throw new SoqlBuildError(`SELECT on ${object} needs at least one field`);
  if (ids.length === 0) throw new SoqlBuildError(`SELECT on ${object} by Id needs at least one id`);
  for (const id of ids) if (!RECORD_ID.test(id)) throw new SoqlBuildError(`Invalid record id ${JSON.stringify(id)}`);
  return `SELECT ${fields.map(soqlFieldName).join(', ')} FROM ${soqlObjectName(object)} WHERE Id IN (${ids.map(soqlString).join(', ')})`;
}

/** Builds `SELECT COUNT() FROM object`. */
export function buildCount(object: string): string {
  return `SELECT COUNT() FROM ${soqlObjectName(object)}`;
}
