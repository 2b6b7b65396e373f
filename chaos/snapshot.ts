/**
 * The two snapshots the judge (chaos/judge.ts) compares, read straight from their sources: every
 * row of every synced table from PostgreSQL (values as PostgreSQL prints them), every record and
 * field the sync user can see from the Salesforce emulator's store (the org itself, not Tandem's
 * view of it), open sync errors and the outbox. Which tables are synced comes from
 * `tandem.sync_object`; field types come from the org's describe, not from Tandem's mapping.
 */
import type pg from 'pg';
import type { RunningEmulator } from '../src/emulator/server';
import type { OpenError, ObjectSnapshot, OutboxEntry, JudgedField } from './judge';

/** Objects the marketing side may write (README: Leads, Contacts, Campaigns and Campaign Members sync both ways). */
export const TWO_WAY = new Set(['Lead', 'Contact', 'Campaign', 'CampaignMember']);

/** Natural keys the org itself keeps unique: a second record with one is a duplicate Tandem created. */
const NATURAL_KEYS: Record<string, string[][]> = {
  // The demo org's duplicate rule keeps lead emails unique.
  Lead: [['Email']],
  // A lead or contact is a member of a campaign at most once (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaignmember.htm).
  CampaignMember: [
    ['CampaignId', 'LeadId'],
    ['CampaignId', 'ContactId'],
  ],
};

// The judge reads identifiers straight from describe and the catalog; quote them here rather than trust them.
const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
};

async function tableColumns(db: pg.Pool, schema: string, table: string): Promise<Set<string>> {
  const { rows } = await db.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
    [schema, table],
  );
  return new Set(rows.map((r) => r.column_name as string));
}

/** Every synced object on both sides. */
export async function snapshotObjects(
  db: pg.Pool,
  emulator: RunningEmulator,
  schema = 'salesforce',
): Promise<ObjectSnapshot[]> {
  const store = emulator.store;
  const syncUser = store.users.get(emulator.credentials.sync.userId);
  if (!syncUser) throw new Error('the emulator has no sync user');
  const { rows: synced } = await db.query(`SELECT object, table_name FROM tandem.sync_object ORDER BY object`);
  const out: ObjectSnapshot[] = [];
  for (const { object, table_name: table } of synced as { object: string; table_name: string }[]) {
    const def = store.schema.object(object);
    if (!def) throw new Error(`synced object ${object} is not in the org`);
    const columns = await tableColumns(db, schema, table);
    // Every field the sync user can see that has a scalar value; compound address/location fields come as their parts.
    const fields: JudgedField[] = store
      .visibleFields(syncUser, def)
      .filter((f) => f.name !== 'IsDeleted')
      .map((f) => ({ name: f.name, column: f.name === 'Id' ? 'sfid' : f.name.toLowerCase(), type: f.type }))
      .filter((f) => f.name !== 'Id' && columns.has(f.column));
    const hasRowId = columns.has('id');
    const select = [
      hasRowId ? 'id::text AS "_row_id"' : 'NULL AS "_row_id"',
      'sfid',
      'isdeleted',
      ...fields.map((f) => `${ident(f.column)}::text AS ${ident(f.column)}`),
    ].join(', ');
    const { rows } = await db.query(`SELECT ${select} FROM ${ident(schema)}.${ident(table)}`);
    const local = rows.map((r) => {
      const values: Record<string, string | null> = {};
      for (const f of fields) values[f.column] = r[f.column] as string | null;
      return {
        rowId: (r._row_id as string | null) ?? undefined,
        sfid: r.sfid as string | null,
        isdeleted: r.isdeleted === true,
        values,
      };
    });
    const result = store.query(syncUser, `SELECT Id, ${fields.map((f) => f.name).join(', ')} FROM ${def.name}`);
    const remote = result.rows.map((row) => {
      const flat = result.toFlat(row);
      const record: Record<string, unknown> = {};
      result.columns.forEach((c, i) => (record[c] = flat[i]));
      return record;
    });
    out.push({ object, twoWay: TWO_WAY.has(object), fields, local, remote, naturalKeys: NATURAL_KEYS[object] });
  }
  return out;
}

/** Open sync errors and every outbox entry's state. */
export async function snapshotPush(db: pg.Pool): Promise<{ openErrors: OpenError[]; outbox: OutboxEntry[] }> {
  const errors = await db.query(
    `SELECT object, row_id::text AS row_id, code, message FROM tandem.sync_error WHERE resolved_at IS NULL`,
  );
  // The newest entry per row says where the row stands; a pending entry anywhere is a change not yet sent.
  const outbox = await db.query(
    `SELECT object, row_id, status FROM (SELECT DISTINCT ON (object, row_id) object, row_id::text AS row_id, status FROM tandem.outbox ORDER BY object, row_id, id DESC) newest
     UNION ALL SELECT object, row_id::text, status FROM tandem.outbox o WHERE status = 'pending' AND id <> (SELECT max(id) FROM tandem.outbox n WHERE n.object = o.object AND n.row_id = o.row_id)`,
  );
  return {
    openErrors: errors.rows.map((r) => ({ object: r.object, rowId: r.row_id, code: r.code, message: r.message })),
    outbox: outbox.rows.map((r) => ({ object: r.object, rowId: r.row_id, status: r.status })),
  };
}
