/**
 * The one module that turns names into SQL identifiers. Table and column names come from Salesforce
 * describe (API names chosen by org admins), so they are validated against what a Salesforce API name
 * can be (src/sync/identifier-rules.ts) and double-quoted; nothing else in Tandem concatenates an identifier
 * into SQL.
 */
import { assertIdentifier } from '../sync/identifier-rules';

export { InvalidIdentifierError, assertIdentifier, identifierFor } from '../sync/identifier-rules';

/** Validates a lowercase identifier and returns it double-quoted for SQL; throws InvalidIdentifierError otherwise. */
export function quoteIdentifier(name: string): string {
  assertIdentifier(name);
  return `"${name}"`;
}

/** Returns a schema-qualified, quoted table name (`"salesforce"."lead"`). */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
