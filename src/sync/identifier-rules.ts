/**
 * Which names Tandem accepts as PostgreSQL identifiers, and the identifier of a Salesforce API name.
 * Pure; src/db/identifiers.ts quotes what passes.
 */

/** Thrown when a name cannot be a PostgreSQL identifier Tandem will use; the message names the value. */
export class InvalidIdentifierError extends Error {
  override readonly name = 'InvalidIdentifierError';
}

// PostgreSQL truncates identifiers at NAMEDATALEN-1 = 63 bytes; a silently truncated name could make
// two Salesforce fields collide, so longer names are refused instead.
const MAX_IDENTIFIER_BYTES = 63;

// Salesforce API names are letters, digits and underscores, starting with a letter (custom names end in
// `__c`, managed packages add `ns__`). Tandem's own columns start with `_tandem_`. Lowercase only: the
// mapping lowercases API names first, so an uppercase letter here means a caller skipped that step.
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Throws InvalidIdentifierError unless `name` is a lowercase identifier of at most 63 bytes. */
export function assertIdentifier(name: string): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new InvalidIdentifierError(
      `Invalid SQL identifier ${JSON.stringify(name)}: expected lowercase letters, digits and underscores`,
    );
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new InvalidIdentifierError(
      `Invalid SQL identifier ${JSON.stringify(name)}: longer than ${MAX_IDENTIFIER_BYTES} bytes`,
    );
  }
}

/** The column or table name Tandem uses for a Salesforce API name: lowercased (`Subscription__c` → `subscription__c`). */
export function identifierFor(apiName: string): string {
  const lowered = apiName.toLowerCase();
  assertIdentifier(lowered);
  return lowered;
}
