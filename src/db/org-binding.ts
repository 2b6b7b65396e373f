/**
 * The org binding in schema `tandem` (migration 0005): which Salesforce org a data schema belongs to,
 * the log of deliberate re-bindings, and what a re-binding would touch. The decisions are in
 * src/sync/org-identity.ts.
 */
import type pg from 'pg';
import { qualifiedName } from './identifiers';
import type { OrgBinding, OrgIdentity } from '../sync/org-identity';

type Db = pg.Pool | pg.PoolClient;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pg row, typed by the SELECTs below
function toBinding(r: Record<string, any>): OrgBinding {
  return {
    orgId: r.org_id,
    name: r.org_name,
    instanceUrl: r.instance_url,
    boundAt: (r.bound_at as Date).toISOString(),
  };
}

/** The org `schema` is bound to, or null before its first sync. */
export async function readOrgBinding(db: Db, schema: string): Promise<OrgBinding | null> {
  const { rows } = await db.query(
    `SELECT org_id, org_name, instance_url, bound_at FROM tandem.org_binding WHERE data_schema = $1`,
    [schema],
  );
  return rows[0] ? toBinding(rows[0]) : null;
}

/**
 * Binds `schema` to `org` unless it is bound already, and returns the binding that holds: two
 * workers logging in at once both see the first one's.
 */
export async function bindOrgIfUnbound(db: Db, schema: string, org: OrgIdentity): Promise<OrgBinding> {
  await db.query(
    `INSERT INTO tandem.org_binding (data_schema, org_id, org_name, instance_url) VALUES ($1, $2, $3, $4)
     ON CONFLICT (data_schema) DO NOTHING`,
    [schema, org.orgId, org.name, org.instanceUrl],
  );
  return (await readOrgBinding(db, schema))!;
}

/** Fills in the name and instance of the bound org when they were unknown or moved (same org id). */
export async function refreshBoundOrgDetails(db: Db, schema: string, org: OrgIdentity): Promise<void> {
  await db.query(
    `UPDATE tandem.org_binding SET org_name = COALESCE($3, org_name), instance_url = $4
      WHERE data_schema = $1 AND left(org_id, 15) = left($2, 15)
        AND (org_name IS DISTINCT FROM COALESCE($3, org_name) OR instance_url IS DISTINCT FROM $4)`,
    [schema, org.orgId, org.name, org.instanceUrl],
  );
}

/** Marketing-side changes not yet in Salesforce, per object: new rows, and changes to linked records. */
export interface PendingChanges {
  object: string;
  /** Rows never pushed (no Salesforce id yet): they become new records in the org pushed to. */
  inserts: number;
  /** Updates and deletes of rows linked to a record of the bound org. */
  linkedChanges: number;
}

/** Counts the open outbox entries (pending, or failed and waiting for a re-drive) per object. */
export async function countPendingChanges(db: Db): Promise<PendingChanges[]> {
  const { rows } = await db.query<{ object: string; inserts: string; linked: string }>(
    `SELECT object,
            count(*) FILTER (WHERE sfid IS NULL) AS inserts,
            count(*) FILTER (WHERE sfid IS NOT NULL) AS linked
       FROM tandem.outbox WHERE status IN ('pending', 'failed')
      GROUP BY object ORDER BY object`,
  );
  return rows.map((r) => ({ object: r.object, inserts: Number(r.inserts), linkedChanges: Number(r.linked) }));
}

/** Rows per synced table, and how many of them are linked to a record of the bound org. */
export interface TableRows {
  object: string;
  table: string;
  rows: number;
  linked: number;
}

/** Counts the rows of every synced table (from tandem.sync_object) in `schema`. */
export async function countSyncedRows(db: Db, schema: string): Promise<TableRows[]> {
  const { rows: objects } = await db.query<{ object: string; table_name: string }>(
    `SELECT s.object, s.table_name FROM tandem.sync_object s
       JOIN information_schema.tables t ON t.table_schema = $1 AND t.table_name = s.table_name
      ORDER BY s.object`,
    [schema],
  );
  const out: TableRows[] = [];
  for (const o of objects) {
    const name = qualifiedName(schema, o.table_name);
    const { rows } = await db.query<{ total: string; linked: string }>(
      `SELECT count(*) AS total, count(sfid) AS linked FROM ${name}`,
    );
    out.push({
      object: o.object,
      table: `${schema}.${o.table_name}`,
      rows: Number(rows[0]!.total),
      linked: Number(rows[0]!.linked),
    });
  }
  return out;
}

/**
 * Binds `schema` to `to` on purpose, in one transaction: the binding, a log entry, every described
 * object flagged for a full copy from the new org (reason `org-rebound`), and the old org's API usage
 * forgotten. Pending marketing changes stay in the outbox. Fails when the schema is not bound to `from`
 * any more (someone re-bound it meanwhile).
 */
export async function rebindOrg(
  client: pg.PoolClient,
  schema: string,
  from: OrgIdentity,
  to: OrgIdentity,
): Promise<{ objects: string[]; pendingKept: number }> {
  const { rowCount } = await client.query(
    `UPDATE tandem.org_binding SET org_id = $3, org_name = $4, instance_url = $5, bound_at = now()
      WHERE data_schema = $1 AND org_id = $2`,
    [schema, from.orgId, to.orgId, to.name, to.instanceUrl],
  );
  if (rowCount !== 1)
    throw new Error(
      `schema "${schema}" is no longer bound to org ${from.orgId}; run \`tandem rebind\` again to see the current state`,
    );
  const { rows: flagged } = await client.query<{ object: string }>(
    `UPDATE tandem.sync_object SET needs_copy_reason = 'org-rebound', updated_at = now() RETURNING object`,
  );
  await client.query(`DELETE FROM tandem.api_usage`);
  const { rows: pending } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM tandem.outbox WHERE status IN ('pending', 'failed')`,
  );
  const objects = flagged.map((r) => r.object).sort();
  const pendingKept = Number(pending[0]!.n);
  await client.query(
    `INSERT INTO tandem.org_rebind_log (data_schema, from_org_id, to_org_id, objects_recopied, pending_kept) VALUES ($1, $2, $3, $4, $5)`,
    [schema, from.orgId, to.orgId, objects, pendingKept],
  );
  return { objects, pendingKept };
}
