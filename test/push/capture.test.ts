// Change capture on the marketing side: triggers record inserts, updates (changed columns only) and
// deletes into tandem.outbox in the writer's transaction; Tandem's own writes are not captured; one-way
// tables and fields the sync user cannot write refuse writes with a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_PROFILE } from '../../src/emulator/users';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from './support';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

describe('change capture', () => {
  it('records an insert with its values, an update with only the changed columns, and a delete', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, email) VALUES ('Capture', 'Acme', 'cap@example.com') RETURNING id`,
    );
    await org.sql(`UPDATE salesforce.lead SET title = 'CTO', email = 'cap@example.com' WHERE id = $1`, [row!.id]);
    await org.sql(`UPDATE salesforce.lead SET description = description WHERE id = $1`, [row!.id]); // no change: no entry
    await org.sql(`DELETE FROM salesforce.lead WHERE id = $1`, [row!.id]);
    const entries = await org.sql<{
      operation: string;
      changed: Record<string, unknown>;
      previous: Record<string, unknown>;
    }>(`SELECT operation, changed, previous FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1 ORDER BY id`, [
      row!.id,
    ]);
    expect(entries).toEqual([
      {
        operation: 'insert',
        changed: { lastname: 'Capture', company: 'Acme', email: 'cap@example.com' },
        previous: {},
      },
      { operation: 'update', changed: { title: 'CTO' }, previous: { title: null } },
      { operation: 'delete', changed: {}, previous: expect.objectContaining({ lastname: 'Capture', title: 'CTO' }) },
    ]);
  });

  it('captures nothing when the writer rolls back', async () => {
    const before = await org.sql<{ n: string }>(`SELECT count(*) AS n FROM tandem.outbox`);
    const client = await db.current.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO salesforce.contact (lastname) VALUES ('Rolled Back')`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await org.sql(`SELECT count(*) AS n FROM tandem.outbox`)).toEqual(before);
  });

  it('does not capture pulls: rows a rep creates and changes arrive without outbox entries', async () => {
    const before = await org.sql<{ n: string }>(`SELECT count(*) AS n FROM tandem.outbox`);
    const created = await org.rep.sobject('Lead').create({ LastName: 'Pulled', Company: 'Initech' });
    await org.rep.sobject('Lead').update({ Id: created.id!, Title: 'VP' });
    await org.cycle();
    expect(await org.sql(`SELECT title FROM salesforce.lead WHERE sfid = $1`, [created.id])).toEqual([{ title: 'VP' }]);
    expect(await org.sql(`SELECT count(*) AS n FROM tandem.outbox`)).toEqual(before);
  });

  it('re-describing an unchanged object leaves its triggers alone (no DDL, no table lock)', async () => {
    const oids = () =>
      org.sql(
        `SELECT tgname, oid::text FROM pg_trigger WHERE tgrelid = ANY(ARRAY['salesforce.lead', 'salesforce.account']::regclass[]) ORDER BY tgname`,
      );
    const before = await oids();
    expect(before.map((t) => t.tgname)).toEqual(['tandem_capture', 'tandem_no_truncate', 'tandem_read_only']);
    await org.activities.pullChanges({ object: 'Lead' }); // the test config re-describes on every pull
    await org.activities.pullChanges({ object: 'Account' });
    expect(await oids()).toEqual(before);
  });
});

describe('refused writes', () => {
  it('refuses writes to a one-way table with a clear error', async () => {
    await expect(org.sql(`INSERT INTO salesforce.account (name) VALUES ('Nope')`)).rejects.toThrow(
      'salesforce.account is read-only: it is synced from Salesforce',
    );
    await expect(org.sql(`DELETE FROM salesforce.account`)).rejects.toThrow(
      'salesforce.account is read-only: it is synced from Salesforce',
    );
    await expect(org.sql(`TRUNCATE salesforce.campaignmemberstatus`)).rejects.toThrow(
      'salesforce.campaignmemberstatus is read-only: it is synced from Salesforce',
    );
  });

  it('refuses writes to a field that stopped syncing (hidden from the sync user), and accepts them again once it is back', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company) VALUES ('Hidden', 'Acme') RETURNING id`,
    );
    const hidden = INTEGRATION_PROFILE.hiddenFields.get('lead')!;
    hidden.add('website');
    try {
      await org.activities.pullChanges({ object: 'Lead' }); // re-describes: Website is gone, its column stays
      await expect(org.sql(`UPDATE salesforce.lead SET website = 'x.test' WHERE id = $1`, [row!.id])).rejects.toThrow(
        'salesforce.lead.website is read-only: Lead.Website is no longer visible to the sync user (deleted, or hidden by field-level security), so it no longer syncs',
      );
    } finally {
      hidden.delete('website');
    }
    await org.activities.pullChanges({ object: 'Lead' });
    await org.sql(`UPDATE salesforce.lead SET website = 'x.test' WHERE id = $1`, [row!.id]);
    expect(
      await org.sql(
        `SELECT changed FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1 ORDER BY id DESC LIMIT 1`,
        [row!.id],
      ),
    ).toEqual([{ changed: { website: 'x.test' } }]);
  });

  it('refuses an update of a field the sync user cannot update, naming the field and why', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company) VALUES ('Formula', 'Acme') RETURNING id`,
    );
    await expect(org.sql(`UPDATE salesforce.lead SET score_band__c = 'Hot' WHERE id = $1`, [row!.id])).rejects.toThrow(
      'salesforce.lead.score_band__c is read-only: the sync user cannot update Lead.Score_Band__c in Salesforce',
    );
    await expect(org.sql(`UPDATE salesforce.lead SET isconverted = true WHERE id = $1`, [row!.id])).rejects.toThrow(
      'salesforce.lead.isconverted is read-only',
    );
    await expect(org.sql(`UPDATE salesforce.lead SET systemmodstamp = now() WHERE id = $1`, [row!.id])).rejects.toThrow(
      'salesforce.lead.systemmodstamp is read-only: Lead.SystemModstamp is maintained by Salesforce',
    );
    await expect(
      org.sql(`INSERT INTO salesforce.contact (lastname, account_name__c) VALUES ('X', 'Y')`),
    ).rejects.toThrow('salesforce.contact.account_name__c is read-only');
    await expect(org.sql(`TRUNCATE salesforce.lead`)).rejects.toThrow('TRUNCATE of salesforce.lead is refused');
  });
});
