// SOQL errors worded as Salesforce words them: the query line, a caret under the offending
// token, `ERROR at Row:r:Column:c`, then the detail (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
import { SalesforceError } from '../errors';

/** Builds a 400 SOQL error whose message points at `offset` in `query` (no pointer when offset is null). */
export function soqlError(errorCode: string, query: string, offset: number | null, detail: string): SalesforceError {
  if (offset === null || offset < 0) return new SalesforceError(400, errorCode, detail);
  const before = query.slice(0, offset);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = query.indexOf('\n', offset);
  const line = query.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = offset - lineStart + 1;
  return new SalesforceError(
    400,
    errorCode,
    `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`,
  );
}

/** Offset of `token` as a whole word in `query` at or after `from` (case-insensitive), or -1. */
export function findToken(query: string, token: string, from = 0): number {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![A-Za-z0-9_.])${escaped}(?![A-Za-z0-9_])`, 'gi');
  re.lastIndex = from;
  const m = re.exec(query);
  return m ? m.index : -1;
}

/** INVALID_FIELD for a column the object lacks or the user cannot see. */
export function noSuchColumn(query: string, offset: number, field: string, objectName: string): SalesforceError {
  return soqlError(
    'INVALID_FIELD',
    query,
    offset,
    `No such column '${field}' on entity '${objectName}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** INVALID_FIELD for an unknown relationship in a field path. */
export function unknownRelationship(query: string, offset: number, relationship: string): SalesforceError {
  return soqlError(
    'INVALID_FIELD',
    query,
    offset,
    `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** INVALID_TYPE for an unknown sObject. */
export function unsupportedType(query: string, offset: number, objectName: string): SalesforceError {
  return soqlError(
    'INVALID_TYPE',
    query,
    offset,
    `sObject type '${objectName}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}
