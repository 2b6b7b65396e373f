/**
 * The triggers of the data tables (trigger functions: migrations/0002_push_outbox.sql). On a two-way
 * table a row trigger records INSERT, UPDATE (changed columns only) and DELETE into `tandem.outbox`
 * inside the writer's transaction and refuses writes to fields the sync user cannot write; on a one-way
 * table a statement trigger refuses every write. Tandem's own transactions pass through both: those of
 * a login role that is a member of the owner of schema `tandem` which also set `tandem.origin = 'tandem'`
 * (pool.ts); the setting alone, which any role may set, is not enough (migrations/0006_trusted_role.sql).
 * Marketing writes to Tandem's own columns (`id`, `sfid`, the insert key, `_tandem_*`) are refused.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ObjectDefinition } from '../objects';
import { captureSpec, guardTandemColumns } from '../sync/capture-spec';
import type { ColumnSpec } from '../sync/type-mapping';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { PUSH_COLUMNS } from './push-columns';
import { META_COLUMNS } from './tables';

/**
 * Installs (or replaces) the triggers of one data table: change capture on two-way objects, the
 * read-only guard on the others. Runs in its own transaction; idempotent.
 */
export async function installTableGuards(
  pool: pg.Pool,
  schema: string,
  table: string,
  def: ObjectDefinition,
  columns: readonly ColumnSpec[],
  vanished: readonly { column: string; field: string }[] = [],
  keyColumn?: string,
): Promise<void> {
  const name = qualifiedName(schema, table);
  const own = {
    keyColumn: keyColumn && columns.some((c) => c.column === keyColumn) ? keyColumn : undefined,
    bookkeeping: [PUSH_COLUMNS.error, PUSH_COLUMNS.linkedTo, META_COLUMNS.copyId, META_COLUMNS.syncedAt],
    defaulted: [META_COLUMNS.syncedAt],
  };
  const spec =
    def.direction === 'two-way'
      ? JSON.stringify(guardTandemColumns(captureSpec(def.name, columns, vanished), own))
      : '';
  // Tandem's role (the owner of schema tandem) goes into the WHEN clause as an OID constant, a cheap
  // built-in check per row; a new owner changes the fingerprint, so the trigger follows it.
  const owner = await pool.query<{ oid: string }>(
    `SELECT nspowner::text AS oid FROM pg_catalog.pg_namespace WHERE nspname = 'tandem'`,
  );
  const ownerOid = Number(owner.rows[0]!.oid);
  // The installed trigger carries a fingerprint of its definition as its comment: an unchanged table
  // (the usual case at each periodic describe) costs one catalog read instead of DDL and its lock.
  // Bump the version when the trigger DDL below changes, so existing tables get the new one.
  const trigger = def.direction === 'two-way' ? 'tandem_capture' : 'tandem_read_only';
  const fingerprint = `${trigger} v3 ${createHash('sha256').update(`${def.name}\n${spec}\n${ownerOid}`).digest('hex').slice(0, 32)}`;
  const installed = await pool.query<{ comment: string | null }>(
    `SELECT obj_description(t.oid, 'pg_trigger') AS comment FROM pg_trigger t WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2`,
    [name, trigger],
  );
  if (installed.rows[0]?.comment === fingerprint) return;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.${table}`]);
    await client.query(`DROP TRIGGER IF EXISTS tandem_capture ON ${name}`);
    await client.query(`DROP TRIGGER IF EXISTS tandem_no_truncate ON ${name}`);
    await client.query(`DROP TRIGGER IF EXISTS tandem_read_only ON ${name}`);
    if (def.direction === 'two-way') {
      await client.query(`ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(PUSH_COLUMNS.error)} text`);
      await client.query(
        `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(PUSH_COLUMNS.linkedTo)} varchar(18)`,
      );
      // The WHEN clause repeats capture_change's own echo check where it is cheap: without it every row
      // a pull or copy writes queues an AFTER-trigger event and a PL/pgSQL call that returns at once
      // (a 50,000-row re-copy page spent 3.5 of its 4.9 s there; with it, 1.1 s). Names are resolved
      // here, at CREATE TRIGGER, and qualified, so the writer's search_path cannot redirect them.
      await client.query(
        `CREATE TRIGGER tandem_capture AFTER INSERT OR UPDATE OR DELETE ON ${name}
           FOR EACH ROW WHEN (pg_catalog.current_setting('tandem.origin', true) IS DISTINCT FROM 'tandem'
                              OR NOT pg_catalog.pg_has_role(session_user, ${ownerOid}::pg_catalog.oid, 'MEMBER'))
           EXECUTE FUNCTION tandem.capture_change(${client.escapeLiteral(def.name)}, ${client.escapeLiteral(spec)})`,
      );
      await client.query(
        `CREATE TRIGGER tandem_no_truncate BEFORE TRUNCATE ON ${name} FOR EACH STATEMENT EXECUTE FUNCTION tandem.refuse_truncate()`,
      );
    } else {
      await client.query(
        `CREATE TRIGGER tandem_read_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${name} FOR EACH STATEMENT EXECUTE FUNCTION tandem.refuse_write()`,
      );
    }
    await client.query(`COMMENT ON TRIGGER ${trigger} ON ${name} IS ${client.escapeLiteral(fingerprint)}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
