// The Salesforce → PostgreSQL activities against the emulator (over HTTP, through jsforce) and a
// real PostgreSQL: the initial copy equals the org as the sync user sees it, and incremental pulls
// pick up what a rep changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncedObjects } from '../../src/objects';
import { useTestDatabase } from '../support/database';
import { createActivities } from '../../src/activities';
import { copyObject, expectCopyEqualsOrg, startTestOrg, testConfig, type TestOrg } from './org';

const db = useTestDatabase();
let org: TestOrg;
const OBJECTS = syncedObjects(['Subscription__c']).map((o) => o.name);

beforeAll(async () => {
  org = await startTestOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

const expectTableEqualsOrg = (object: string) => expectCopyEqualsOrg(org, db.current.pool, object);

describe('initial copy', () => {
  it('copies every object so that each table equals the org as the sync user sees it, field by field', async () => {
    const counts: Record<string, number> = {};
    for (const object of OBJECTS) {
      await copyObject(org.activities, object, 2);
      counts[object] = await expectTableEqualsOrg(object);
    }
    for (const object of [
      'User',
      'Account',
      'Contact',
      'Lead',
      'Campaign',
      'CampaignMember',
      'Task',
      'Subscription__c',
    ]) {
      expect(counts[object], `${object} has rows`).toBeGreaterThan(0);
    }
  });

  it('leaves out fields hidden from the sync user', async () => {
    const { rows } = await db.current.pool.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'salesforce' AND (table_name, column_name) IN (('lead','annualrevenue'),('account','annualrevenue'),('contact','birthdate'))`,
    );
    expect(rows).toEqual([]);
    const lead = await db.current.pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'salesforce' AND table_name = 'lead'`,
    );
    expect(lead.rows.map((r) => r.column_name)).toEqual(
      expect.arrayContaining([
        'sfid',
        'masterrecordid',
        'convertedaccountid',
        'ownerid',
        'systemmodstamp',
        'lead_score__c',
      ]),
    );
  });

  it('leaves out records private to users the sync user cannot see', async () => {
    const execId = org.emulator.credentials.exec.userId;
    const hidden = await org.rep.query<{ Id: string }>(`SELECT Id FROM Lead WHERE OwnerId = '${execId}'`);
    expect(hidden.records.length).toBeGreaterThan(0);
    const { rows } = await db.current.pool.query(
      'SELECT count(*)::int AS n FROM salesforce.lead WHERE sfid = ANY($1)',
      [hidden.records.map((r) => r.Id)],
    );
    expect(rows[0].n).toBe(0);
  });

  it('keeps polymorphic owner and activity ids as plain ids', async () => {
    const { rows } = await db.current.pool.query(`SELECT DISTINCT left(ownerid, 3) AS prefix FROM salesforce.lead`);
    expect(rows.map((r) => r.prefix).sort()).toEqual(expect.arrayContaining(['005']));
    const what = await db.current.pool.query(
      `SELECT count(*)::int AS n FROM salesforce.task WHERE whatid IS NOT NULL OR whoid IS NOT NULL`,
    );
    expect(what.rows[0].n).toBeGreaterThan(0);
  });

  it('sets each watermark to the copy start minus the overlap window', async () => {
    const { rows } = await db.current.pool.query(
      `SELECT s.watermark, c.started_at FROM tandem.sync_object s JOIN tandem.copy_checkpoint c USING (object)`,
    );
    expect(rows.length).toBe(OBJECTS.length);
    for (const row of rows)
      expect(row.started_at.getTime() - row.watermark.getTime()).toBe(org.config.sync.overlapWindowSeconds * 1000);
  });
});

describe('incremental pull', () => {
  it('picks up a rep creating and updating a lead, with one query call', async () => {
    const created = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Pulled', Company: 'Tandem Test', Email: 'pulled@example.com', Lead_Score__c: 41 });
    expect(created.success).toBe(true);
    let result = await org.activities.pullChanges({ object: 'Lead' });
    expect(result.rowsPulled).toBeGreaterThanOrEqual(1);
    let row = (
      await db.current.pool.query(
        'SELECT lastname, email, lead_score__c::int AS score, isdeleted FROM salesforce.lead WHERE sfid = $1',
        [created.id],
      )
    ).rows[0];
    expect(row).toEqual({ lastname: 'Pulled', email: 'pulled@example.com', score: 41, isdeleted: false });
    await org.rep.sobject('Lead').update({ Id: created.id!, LastName: 'Pulled Again' });
    result = await org.activities.pullChanges({ object: 'Lead' });
    row = (await db.current.pool.query('SELECT lastname FROM salesforce.lead WHERE sfid = $1', [created.id])).rows[0];
    expect(row.lastname).toBe('Pulled Again');
    expect(result.watermark).not.toBeNull();
    await expectTableEqualsOrg('Lead');
  });

  it('counts a lead re-read in the overlap window, unchanged, as re-read — not pulled, not rewritten', async () => {
    const created = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Once', Company: 'Tandem Test', Email: 'once@example.com' });
    const first = await org.activities.pullChanges({ object: 'Lead' });
    expect(first.rowsPulled).toBe(1);
    const stamp = async () =>
      (await db.current.pool.query('SELECT _tandem_synced_at AS at FROM salesforce.lead WHERE sfid = $1', [created.id]))
        .rows[0].at as Date;
    const syncedAt = await stamp();
    // The same lead is still inside the overlap window: read again, but nothing changed.
    const second = await org.activities.pullChanges({ object: 'Lead' });
    expect(second).toMatchObject({ rowsPulled: 0, rowsDeleted: 0, rowsUnchanged: second.rowsRead });
    expect(second.rowsRead).toBeGreaterThanOrEqual(1);
    expect(await stamp()).toEqual(syncedAt);
    await org.rep.sobject('Lead').update({ Id: created.id!, Title: 'Changed' });
    const third = await org.activities.pullChanges({ object: 'Lead' });
    expect(third.rowsPulled).toBe(1);
    expect(third.rowsUnchanged).toBe(third.rowsRead! - 1);
  });

  it('marks a deleted lead isdeleted and keeps it, and clears the flag on undelete', async () => {
    const created = await org.rep.sobject('Lead').create({ LastName: 'Doomed', Company: 'Tandem Test' });
    await org.activities.pullChanges({ object: 'Lead' });
    await org.rep.sobject('Lead').destroy(created.id!);
    const result = await org.activities.pullChanges({ object: 'Lead' });
    expect(result.rowsDeleted).toBeGreaterThanOrEqual(1);
    expect(
      (await db.current.pool.query('SELECT isdeleted, lastname FROM salesforce.lead WHERE sfid = $1', [created.id]))
        .rows[0],
    ).toEqual({ isdeleted: true, lastname: 'Doomed' });
    await org.rep.soap.undelete([created.id!]);
    await org.activities.pullChanges({ object: 'Lead' });
    expect(
      (await db.current.pool.query('SELECT isdeleted FROM salesforce.lead WHERE sfid = $1', [created.id])).rows[0]
        .isdeleted,
    ).toBe(false);
  });

  it('marks rows purged from the recycle bin deleted through getDeleted', async () => {
    const created = await org.rep.sobject('Lead').create({ LastName: 'Purged', Company: 'Tandem Test' });
    await org.activities.pullChanges({ object: 'Lead' });
    await org.rep.sobject('Lead').destroy(created.id!);
    await org.rep.soap.emptyRecycleBin([created.id!]);
    const hidden = await org.rep.query(`SELECT Id FROM Lead WHERE Id = '${created.id}'`, { scanAll: true });
    expect(hidden.totalSize).toBe(0);
    // getDeleted truncates seconds (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-getdeleted.html): a delete is reported once its minute has passed.
    org.emulator.context.clock.advance(90_000);
    const result = await org.activities.pullChanges({ object: 'Lead' });
    expect(result.rowsDeleted).toBeGreaterThanOrEqual(1);
    expect(
      (await db.current.pool.query('SELECT isdeleted FROM salesforce.lead WHERE sfid = $1', [created.id])).rows[0]
        .isdeleted,
    ).toBe(true);
  });

  it('keeps a merged-away lead with its MasterRecordId', async () => {
    const winner = await org.rep.sobject('Lead').create({ LastName: 'Winner', Company: 'Merge Co' });
    const loser = await org.rep.sobject('Lead').create({ LastName: 'Loser', Company: 'Merge Co' });
    await org.activities.pullChanges({ object: 'Lead' });
    await org.rep.soap.merge({
      masterRecord: { type: 'Lead', Id: winner.id! },
      recordToMergeIds: [loser.id!],
    } as never);
    await org.activities.pullChanges({ object: 'Lead' });
    const row = (
      await db.current.pool.query('SELECT isdeleted, masterrecordid FROM salesforce.lead WHERE sfid = $1', [loser.id])
    ).rows[0];
    expect(row).toEqual({ isdeleted: true, masterrecordid: winner.id });
  });

  it('keeps a converted lead with the ids of what it became', async () => {
    const lead = await org.rep.sobject('Lead').create({ LastName: 'Convertible', Company: 'Convert Co' });
    await org.activities.pullChanges({ object: 'Lead' });
    const [converted] = (await org.rep.soap.convertLead([
      { leadId: lead.id!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: false },
    ])) as {
      accountId: string;
      contactId: string;
      opportunityId: string;
    }[];
    for (const object of ['Account', 'Contact', 'Lead', 'Opportunity']) await org.activities.pullChanges({ object });
    const row = (
      await db.current.pool.query(
        'SELECT isconverted, convertedaccountid, convertedcontactid, convertedopportunityid FROM salesforce.lead WHERE sfid = $1',
        [lead.id],
      )
    ).rows[0];
    expect(row).toEqual({
      isconverted: true,
      convertedaccountid: converted!.accountId,
      convertedcontactid: converted!.contactId,
      convertedopportunityid: converted!.opportunityId,
    });
    expect(
      (
        await db.current.pool.query('SELECT count(*)::int AS n FROM salesforce.contact WHERE sfid = $1', [
          converted!.contactId,
        ])
      ).rows[0].n,
    ).toBe(1);
  });

  it('costs one API call per object when nothing changed, however big the table', async () => {
    // The test configuration re-describes and calls getDeleted on every pull; production does both hourly.
    const hourly = createActivities({
      salesforce: org.sync,
      db: db.current.pool,
      config: testConfig({ describeIntervalSeconds: 3600, deletedCheckIntervalSeconds: 3600 }),
      now: org.now,
    });
    for (const object of OBJECTS) await hourly.pullChanges({ object }); // settle every watermark and delete check
    for (const object of OBJECTS) {
      const result = await hourly.pullChanges({ object });
      expect(result.apiCalls, object).toBe(1);
    }
  });

  it('refuses an object that is not synced, naming it', async () => {
    await expect(org.activities.pullChanges({ object: 'Leads' })).rejects.toThrow(/Unknown object "Leads"/);
  });
});
