/**
 * The least-privilege grants of a marketing role (docs/least-privilege.md): read and write the two-way
 * tables, read the one-way ones, nothing in schema `tandem`. Pure: returns the SQL, which an operator
 * prints and runs (or a test applies) as Tandem's role, the owner of both schemas.
 */
import { qualifiedName, quoteIdentifier } from './identifiers';

/** What `marketingGrants` grants. */
export interface GrantsInput {
  /** The marketing role (must exist). */
  role: string;
  /** The data schema (`database.schema`). */
  schema: string;
  /** Tables of two-way objects: SELECT, INSERT, UPDATE, DELETE (and the `id` sequences). */
  twoWay: readonly string[];
  /** Tables of one-way objects and views (`person`): SELECT only. */
  readOnly: readonly string[];
}

/**
 * The statements, in order. Writes to two-way tables are captured by SECURITY DEFINER triggers, so the
 * role needs no access to `tandem.*`; it is revoked explicitly in case an older setup granted it.
 * `REVOKE CREATE ON SCHEMA public FROM PUBLIC` (the default since PostgreSQL 15) keeps any role from
 * planting objects on a default search_path
 * (https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PATTERNS).
 */
export function marketingGrants(input: GrantsInput): string[] {
  const role = quoteIdentifier(input.role);
  const schema = quoteIdentifier(input.schema);
  const statements = [
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
    `REVOKE ALL ON SCHEMA tandem FROM PUBLIC`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA tandem FROM ${role}`,
    `REVOKE ALL ON SCHEMA tandem FROM ${role}`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
  ];
  for (const table of input.twoWay) {
    statements.push(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${qualifiedName(input.schema, table)} TO ${role}`);
    statements.push(`GRANT USAGE ON SEQUENCE ${qualifiedName(input.schema, `${table}_id_seq`)} TO ${role}`);
  }
  for (const table of input.readOnly)
    statements.push(`GRANT SELECT ON ${qualifiedName(input.schema, table)} TO ${role}`);
  return statements;
}
