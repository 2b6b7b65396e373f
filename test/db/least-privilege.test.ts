// Hostile and careless marketing writers, connected as a non-superuser role granted what
// docs/least-privilege.md grants (src/db/grants.ts): Tandem's own columns cannot be written or copied,
// echo suppression cannot be forged, planted functions never run with another role's rights, and the
// normal round trip still works.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketingGrants } from '../../src/db/grants';
import { createPool } from '../../src/db/pool';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from '../push/support';

const db = useTestDatabase();
const role = `tandem_mkt_${randomBytes(4).toString('hex')}`;
let org: PushOrg;
let marketing: pg.Pool;

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  return parsed.toString();
}

async function asMarketing<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  params?: unknown[],
): Promise<T[]> {
  return (await marketing.query<T>(text, params)).rows;
}

/** Runs statements in one marketing transaction. */
async function marketingTransaction(statements: string[]): Promise<void> {
  const client = await marketing.connect();
  try {
    await client.query('BEGIN');
    for (const s of statements) await client.query(s);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
  await org.sql(`CREATE ROLE ${role} LOGIN`);
  for (const s of marketingGrants({
    role,
    schema: 'salesforce',
    twoWay: ['lead', 'contact', 'campaignmember'],
    readOnly: ['account', 'campaign'],
  }))
    await org.sql(s);
  marketing = new pg.Pool({ connectionString: withUser(db.current.url, role), max: 2 });
});
afterAll(async () => {
  await marketing?.end();
  await org?.emulator.stop();
  const admin = new pg.Client({ connectionString: db.current.url });
  await admin.connect();
  try {
    // The role owns objects in this database only (planted functions): drop them with it.
    await admin.query(`DROP OWNED BY ${role}`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await admin.end();
  }
});

async function pushedLead(lastname: string): Promise<{ id: string; sfid: string; tandem_id__c: string }> {
  const [row] = await asMarketing<{ id: string }>(
    `INSERT INTO salesforce.lead (lastname, company, email) VALUES ($1, 'Acme', $2) RETURNING id`,
    [lastname, `${lastname.toLowerCase()}@acme.test`],
  );
  await org.cycle();
  const [local] = await org.sql<{ id: string; sfid: string; tandem_id__c: string }>(
    `SELECT id::text, sfid, tandem_id__c FROM salesforce.lead WHERE id = $1`,
    [row!.id],
  );
  expect(local!.sfid).toMatch(/^00Q/);
  return local!;
}

describe('Tandem-owned columns', () => {
  it("refuses an insert that copies another row's key, so the copy cannot overwrite the original person; without the key it becomes a new person", async () => {
    const original = await pushedLead('Original');
    await expect(
      asMarketing(
        `INSERT INTO salesforce.lead (lastname, company, email, tandem_id__c) SELECT 'Clone', company, 'clone@x.test', tandem_id__c FROM salesforce.lead WHERE id = $1`,
        [original.id],
      ),
    ).rejects.toThrow(/salesforce\.lead\.tandem_id__c is read-only: Tandem assigns the insert key/);
    await asMarketing(
      `INSERT INTO salesforce.lead (lastname, company, email) SELECT 'Clone', company, 'clone@x.test' FROM salesforce.lead WHERE id = $1`,
      [original.id],
    );
    await org.cycle();
    const rows = await org.sql<{ lastname: string; sfid: string; tandem_id__c: string }>(
      `SELECT lastname, sfid, tandem_id__c FROM salesforce.lead WHERE lastname IN ('Original', 'Clone') ORDER BY id`,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ lastname: 'Original', sfid: original.sfid, tandem_id__c: original.tandem_id__c });
    expect(rows[1]!.sfid).not.toBe(original.sfid);
    expect(rows[1]!.tandem_id__c).not.toBe(original.tandem_id__c);
    expect(await org.rep.sobject('Lead').retrieve(original.sfid)).toMatchObject({ LastName: 'Original' });
  });

  it('refuses updates of id, sfid, the key and _tandem_* columns, naming table and column', async () => {
    const lead = await pushedLead('Owned');
    await expect(asMarketing(`UPDATE salesforce.lead SET id = 900009 WHERE id = $1`, [lead.id])).rejects.toThrow(
      /salesforce\.lead\.id is read-only/,
    );
    await expect(asMarketing(`UPDATE salesforce.lead SET sfid = NULL WHERE id = $1`, [lead.id])).rejects.toThrow(
      /salesforce\.lead\.sfid is read-only/,
    );
    await expect(
      asMarketing(`UPDATE salesforce.lead SET tandem_id__c = 'mine' WHERE id = $1`, [lead.id]),
    ).rejects.toThrow(/salesforce\.lead\.tandem_id__c is read-only/);
    await expect(
      asMarketing(`UPDATE salesforce.lead SET _tandem_linked_to = '00Q000000000001AAA' WHERE id = $1`, [lead.id]),
    ).rejects.toThrow(/salesforce\.lead\._tandem_linked_to is read-only/);
    await expect(
      asMarketing(`INSERT INTO salesforce.contact (lastname, _tandem_error) VALUES ('X', 'forged')`),
    ).rejects.toThrow(/salesforce\.contact\._tandem_error is read-only/);
    await expect(
      asMarketing(`INSERT INTO salesforce.contact (lastname, tandem_id__c) VALUES ('X', $1)`, [lead.tandem_id__c]),
    ).rejects.toThrow(/salesforce\.contact\.tandem_id__c is read-only/);
    expect(await org.sql(`SELECT id::text, sfid FROM salesforce.lead WHERE id = $1`, [lead.id])).toEqual([
      { id: lead.id, sfid: lead.sfid },
    ]);
  });

  it('refuses renumbering an unpushed insert, which then still reaches Salesforce', async () => {
    const [row] = await asMarketing<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company) VALUES ('Renumbered', 'Acme') RETURNING id`,
    );
    await expect(asMarketing(`UPDATE salesforce.lead SET id = 900010 WHERE id = $1`, [row!.id])).rejects.toThrow(
      /salesforce\.lead\.id is read-only/,
    );
    await org.cycle();
    expect(await org.sql(`SELECT sfid IS NOT NULL AS pushed FROM salesforce.lead WHERE id = $1`, [row!.id])).toEqual([
      { pushed: true },
    ]);
  });
});

describe('the push write-back', () => {
  it('a pending row whose key was copied before the guard gets a fresh key: a new person, the original row and record untouched', async () => {
    const original = await pushedLead('Kept');
    // A copy made before the guard existed: its key is the original's, its insert entry pending.
    const [clone] = await org.sql<{ id: string }>(
      `WITH c AS (SELECT set_config('tandem.origin', 'tandem', true))
       INSERT INTO salesforce.lead (lastname, company, tandem_id__c) SELECT 'KeptClone', 'Acme', $1 FROM c RETURNING id`,
      [original.tandem_id__c],
    );
    await org.sql(`INSERT INTO tandem.outbox (object, row_id, operation, changed) VALUES ('Lead', $1, 'insert', $2)`, [
      clone!.id,
      { lastname: 'KeptClone', company: 'Acme', tandem_id__c: original.tandem_id__c },
    ]);
    await org.cycle();
    expect(await org.sql(`SELECT sfid FROM salesforce.lead WHERE id = $1`, [original.id])).toEqual([
      { sfid: original.sfid },
    ]);
    const [copy] = await org.sql<{ sfid: string; tandem_id__c: string }>(
      `SELECT sfid, tandem_id__c FROM salesforce.lead WHERE id = $1`,
      [clone!.id],
    );
    expect(copy!.sfid).toMatch(/^00Q/);
    expect(copy!.sfid).not.toBe(original.sfid);
    expect(copy!.tandem_id__c).not.toBe(original.tandem_id__c);
    expect(await org.rep.sobject('Lead').retrieve(original.sfid)).toMatchObject({
      LastName: 'Kept',
      Tandem_Id__c: original.tandem_id__c,
    });
  });
});

describe('echo suppression trusts the role, not a setting', () => {
  it('a forged SET LOCAL tandem.origin neither writes a read-only table nor hides a lead edit from capture', async () => {
    const lead = await pushedLead('Forged');
    await org.sql(`GRANT UPDATE ON salesforce.account TO ${role}`); // a careless grant: the guard still holds
    await expect(
      marketingTransaction([`SET LOCAL tandem.origin = 'tandem'`, `UPDATE salesforce.account SET name = 'Forged'`]),
    ).rejects.toThrow('salesforce.account is read-only');
    await marketingTransaction([
      `SET LOCAL tandem.origin = 'tandem'`,
      `UPDATE salesforce.lead SET title = 'Forged title' WHERE id = ${Number(lead.id)}`,
    ]);
    expect(
      await org.sql(
        `SELECT changed FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1 AND operation = 'update'`,
        [lead.id],
      ),
    ).toEqual([{ changed: { title: 'Forged title' } }]);
    await org.cycle();
    expect(await org.rep.sobject('Lead').retrieve(lead.sfid)).toMatchObject({ Title: 'Forged title' });
  });
});

describe('round trip with marketing as its own role', () => {
  it('a marketing insert is pushed and gets its sfid; edits go both ways; tandem.* stays out of reach', async () => {
    await expect(asMarketing(`SELECT count(*) FROM tandem.outbox`)).rejects.toThrow(/permission denied/);
    await expect(asMarketing(`DELETE FROM tandem.outbox`)).rejects.toThrow(/permission denied/);
    const lead = await pushedLead('Roundtrip');
    expect(await asMarketing(`SELECT sfid FROM salesforce.lead WHERE id = $1`, [lead.id])).toEqual([
      { sfid: lead.sfid },
    ]);
    await org.rep.sobject('Lead').update({ Id: lead.sfid, Title: 'From Salesforce' });
    await org.cycle();
    expect(await asMarketing(`SELECT title FROM salesforce.lead WHERE id = $1`, [lead.id])).toEqual([
      { title: 'From Salesforce' },
    ]);
    await asMarketing(`UPDATE salesforce.lead SET phone = '555-0199' WHERE id = $1`, [lead.id]);
    const pushed = await org.cycle();
    expect(pushed.Lead).toMatchObject({ rowsPushed: 1, rowsFailed: 0 });
    expect(await org.rep.sobject('Lead').retrieve(lead.sfid)).toMatchObject({
      Phone: '555-0199',
      Title: 'From Salesforce',
    });
    await asMarketing(`DELETE FROM salesforce.lead WHERE id = $1`, [lead.id]);
    expect(
      await org.sql(
        `SELECT operation FROM tandem.outbox WHERE row_id = $1 AND object = 'Lead' ORDER BY id DESC LIMIT 1`,
        [lead.id],
      ),
    ).toEqual([{ operation: 'delete' }]);
  });
});

// Last: it plants functions in public.
describe('search_path tricks', () => {
  it("a function planted in public never runs inside the trigger of another role's write, nor in Tandem's sessions", async () => {
    await org.sql(`GRANT CREATE ON SCHEMA public TO ${role}`); // as before PostgreSQL 15, or a careless setup
    // to_jsonb(salesforce.lead) matches the trigger's to_jsonb(NEW) better than pg_catalog's to_jsonb(anyelement).
    await asMarketing(`CREATE FUNCTION public.to_jsonb(r salesforce.lead) RETURNS jsonb LANGUAGE plpgsql AS $$
      BEGIN EXECUTE 'ALTER ROLE ${role} SUPERUSER'; RETURN '{}'::jsonb; END $$`);
    await asMarketing(`CREATE FUNCTION public.lower(v varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'planted' $$`);
    const [lead] = await asMarketing<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company) VALUES ('Planted', 'Acme') RETURNING id`,
    );
    // An operator (a superuser, on the default search_path) fixes the row by hand.
    const admin = new pg.Client({ connectionString: db.current.url });
    await admin.connect();
    try {
      await admin.query(`UPDATE salesforce.lead SET title = 'Fixed' WHERE id = $1`, [lead!.id]);
    } finally {
      await admin.end();
    }
    expect(await org.sql(`SELECT rolsuper FROM pg_roles WHERE rolname = $1`, [role])).toEqual([{ rolsuper: false }]);
    const tandem = createPool({ url: db.current.url, max: 1 });
    try {
      expect((await tandem.query(`SELECT lower('X'::varchar) AS v`)).rows).toEqual([{ v: 'x' }]);
    } finally {
      await tandem.end();
      // The test database's own pool opened connections before Tandem guarded it (production pools come
      // from createPool): remove the planted functions so they do not reach those.
      await org.sql(`DROP FUNCTION public.to_jsonb(salesforce.lead), public.lower(varchar)`);
      await org.sql(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
    }
  });
});
