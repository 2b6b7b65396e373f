// Round trips both ways for each two-way object, echo suppression, and the three-way merge: edits of
// different fields on both sides both survive; same-field conflicts follow the rule and are logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from './support';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool, {
    conflictRules: {
      Lead: { fields: { LeadSource: 'salesforce-unless-blank', Industry: 'salesforce-wins', Rating: 'never-push' } },
      Contact: { fields: { Department: 'marketing-wins' } },
    },
  });
});
afterAll(async () => {
  await org?.emulator.stop();
});

async function outboxCount(): Promise<number> {
  return Number((await org.sql<{ n: string }>(`SELECT count(*) AS n FROM tandem.outbox`))[0]!.n);
}

async function openOutbox(): Promise<number> {
  return Number(
    (await org.sql<{ n: string }>(`SELECT count(*) AS n FROM tandem.outbox WHERE status IN ('pending', 'failed')`))[0]!
      .n,
  );
}

describe('round trips', () => {
  it('Lead: a marketing insert is created once in Salesforce with its key and sfid written back; edits go both ways; echoes are not pushed again', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, firstname, company, email) VALUES ('Nguyen', 'Ada', 'Acme', 'ada@acme.test') RETURNING id`,
    );
    const first = await org.cycle();
    expect(first.Lead).toMatchObject({ rowsPushed: 1, rowsFailed: 0, backlog: 0, openErrors: 0 });
    const [local] = await org.sql<{ sfid: string; tandem_id__c: string }>(
      `SELECT sfid, tandem_id__c FROM salesforce.lead WHERE id = $1`,
      [row!.id],
    );
    expect(local!.sfid).toMatch(/^00Q/);
    const remote = await org.rep.sobject('Lead').retrieve(local!.sfid);
    expect(remote).toMatchObject({
      LastName: 'Nguyen',
      FirstName: 'Ada',
      Company: 'Acme',
      Email: 'ada@acme.test',
      Tandem_Id__c: local!.tandem_id__c,
    });

    // The pull brings our own insert back: no new outbox rows, nothing pushed.
    const entries = await outboxCount();
    const echo = await org.cycle();
    expect(echo.Lead).toMatchObject({ rowsPushed: 0, backlog: 0, apiCalls: 0 });
    expect(await outboxCount()).toBe(entries);

    // Salesforce → PostgreSQL.
    await org.rep.sobject('Lead').update({ Id: local!.sfid, Title: 'Head of Data' });
    await org.cycle();
    expect(await org.sql(`SELECT title FROM salesforce.lead WHERE id = $1`, [row!.id])).toEqual([
      { title: 'Head of Data' },
    ]);
    expect(await outboxCount()).toBe(entries);

    // PostgreSQL → Salesforce, then its echo.
    await org.sql(`UPDATE salesforce.lead SET phone = '555-0101' WHERE id = $1`, [row!.id]);
    const pushed = await org.cycle();
    expect(pushed.Lead).toMatchObject({ rowsPushed: 1, backlog: 0 });
    expect(await org.rep.sobject('Lead').retrieve(local!.sfid)).toMatchObject({
      Phone: '555-0101',
      Title: 'Head of Data',
    });
    const after = await outboxCount();
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 0, apiCalls: 0 });
    expect(await outboxCount()).toBe(after);
    expect(await org.sql(`SELECT count(*)::int AS n FROM salesforce.lead WHERE lastname = 'Nguyen'`)).toEqual([
      { n: 1 },
    ]);
  });

  it('Contact: insert, Salesforce edit, marketing edit, round trip', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.contact (lastname, email) VALUES ('Okafor', 'o@k.test') RETURNING id`,
    );
    await org.cycle();
    const [{ sfid }] = (await org.sql<{ sfid: string }>(`SELECT sfid FROM salesforce.contact WHERE id = $1`, [
      row!.id,
    ])) as [{ sfid: string }];
    expect(sfid).toMatch(/^003/);
    await org.rep.sobject('Contact').update({ Id: sfid, Title: 'Buyer' });
    await org.sql(`UPDATE salesforce.contact SET mobilephone = '555-0199' WHERE id = $1`, [row!.id]);
    await org.cycle();
    expect(await org.rep.sobject('Contact').retrieve(sfid)).toMatchObject({
      Title: 'Buyer',
      MobilePhone: '555-0199',
      LastName: 'Okafor',
    });
    expect(await org.sql(`SELECT title, mobilephone FROM salesforce.contact WHERE id = $1`, [row!.id])).toEqual([
      { title: 'Buyer', mobilephone: '555-0199' },
    ]);
    expect(await openOutbox()).toBe(0);
  });

  it('Campaign and CampaignMember: create a campaign, add a member, re-status it, remove it', async () => {
    const [campaign] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaign (name, type, status) VALUES ('Webinar Q3', 'Webinar', 'Planned') RETURNING id`,
    );
    await org.cycle();
    const [{ sfid: campaignId }] = (await org.sql<{ sfid: string }>(
      `SELECT sfid FROM salesforce.campaign WHERE id = $1`,
      [campaign!.id],
    )) as [{ sfid: string }];
    expect(campaignId).toMatch(/^701/);
    await org.cycle(); // the new campaign's member statuses (created by Salesforce) arrive
    const lead = await org.rep.sobject('Lead').create({ LastName: 'Member', Company: 'Globex' });
    await org.cycle();
    const [member] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaignmember (campaignid, leadid, status) VALUES ($1, $2, 'Sent') RETURNING id`,
      [campaignId, lead.id],
    );
    await org.cycle();
    const [{ sfid: memberId }] = (await org.sql<{ sfid: string }>(
      `SELECT sfid FROM salesforce.campaignmember WHERE id = $1`,
      [member!.id],
    )) as [{ sfid: string }];
    expect(await org.rep.sobject('CampaignMember').retrieve(memberId)).toMatchObject({
      CampaignId: campaignId,
      LeadId: lead.id,
      Status: 'Sent',
      HasResponded: false,
    });
    await expect(
      org.sql(`UPDATE salesforce.campaignmember SET campaignid = leadid WHERE id = $1`, [member!.id]),
    ).rejects.toThrow('salesforce.campaignmember.campaignid is read-only');

    await org.sql(`UPDATE salesforce.campaignmember SET status = 'Responded' WHERE id = $1`, [member!.id]);
    await org.cycle();
    await org.cycle(); // the next pull brings back what Salesforce derived from the new status
    expect(await org.rep.sobject('CampaignMember').retrieve(memberId)).toMatchObject({
      Status: 'Responded',
      HasResponded: true,
    });
    expect(await org.sql(`SELECT hasresponded FROM salesforce.campaignmember WHERE id = $1`, [member!.id])).toEqual([
      { hasresponded: true },
    ]);

    // Salesforce → PostgreSQL for a campaign.
    await org.rep.sobject('Campaign').update({ Id: campaignId, Status: 'In Progress' });
    await org.cycle();
    expect(await org.sql(`SELECT status FROM salesforce.campaign WHERE id = $1`, [campaign!.id])).toEqual([
      { status: 'In Progress' },
    ]);

    await org.sql(`DELETE FROM salesforce.campaignmember WHERE id = $1`, [member!.id]);
    const removed = await org.cycle();
    expect(removed.CampaignMember).toMatchObject({ rowsPushed: 1 });
    const gone = await org.rep.query(`SELECT Id FROM CampaignMember WHERE Id = '${memberId}'`);
    expect(gone.totalSize).toBe(0);
  });

  it('a status that is not one of the campaign member statuses becomes a sync error saying so, while the rest of the batch goes through', async () => {
    const campaign = await org.rep.sobject('Campaign').create({ Name: 'Trade Show' });
    const a = await org.rep.sobject('Contact').create({ LastName: 'Attendee A' });
    const b = await org.rep.sobject('Contact').create({ LastName: 'Attendee B' });
    await org.cycle();
    const [good] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaignmember (campaignid, contactid, status) VALUES ($1, $2, 'Responded') RETURNING id`,
      [campaign.id, a.id],
    );
    const [bad] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaignmember (campaignid, contactid, status) VALUES ($1, $2, 'Attended') RETURNING id`,
      [campaign.id, b.id],
    );
    const result = await org.cycle();
    expect(result.CampaignMember).toMatchObject({ rowsPushed: 1, rowsFailed: 1, openErrors: 1 });
    expect(
      await org.sql(`SELECT sfid IS NOT NULL AS synced FROM salesforce.campaignmember WHERE id = $1`, [good!.id]),
    ).toEqual([{ synced: true }]);
    const errors = await org.sql<{ code: string; message: string }>(
      `SELECT code, message FROM tandem.sync_error WHERE object = 'CampaignMember' AND row_id = $1 AND resolved_at IS NULL`,
      [bad!.id],
    );
    expect(errors).toEqual([
      {
        code: 'INVALID_CAMPAIGN_MEMBER_STATUS',
        message: `Status "Attended" is not a member status of campaign ${campaign.id} (its statuses: Sent, Responded); add it to the campaign's member statuses in Salesforce, or use one of these`,
      },
    ]);
    expect(await org.sql(`SELECT _tandem_error FROM salesforce.campaignmember WHERE id = $1`, [bad!.id])).toEqual([
      { _tandem_error: expect.stringContaining('INVALID_CAMPAIGN_MEMBER_STATUS') },
    ]);
    // Fixing the row re-drives it.
    await org.sql(`UPDATE salesforce.campaignmember SET status = 'Sent' WHERE id = $1`, [bad!.id]);
    expect((await org.cycle()).CampaignMember).toMatchObject({ rowsPushed: 1, rowsFailed: 0, openErrors: 0 });
    expect(
      await org.sql(`SELECT _tandem_error, sfid IS NOT NULL AS synced FROM salesforce.campaignmember WHERE id = $1`, [
        bad!.id,
      ]),
    ).toEqual([{ _tandem_error: null, synced: true }]);
  });
});

describe('three-way merge', () => {
  async function syncedLead(values: Record<string, unknown>): Promise<{ id: string; sfid: string }> {
    const created = await org.rep.sobject('Lead').create({ LastName: 'Merge', Company: 'Acme', ...values });
    await org.cycle();
    const [row] = await org.sql<{ id: string }>(`SELECT id FROM salesforce.lead WHERE sfid = $1`, [created.id]);
    return { id: row!.id, sfid: created.id! };
  }

  it('keeps both sides when they changed different fields of the same record between cycles', async () => {
    const lead = await syncedLead({ Title: 'Analyst' });
    await org.rep.sobject('Lead').update({ Id: lead.sfid, Title: 'Director' });
    await org.sql(`UPDATE salesforce.lead SET phone = '555-0123' WHERE id = $1`, [lead.id]);
    await org.cycle();
    expect(await org.rep.sobject('Lead').retrieve(lead.sfid)).toMatchObject({ Title: 'Director', Phone: '555-0123' });
    expect(await org.sql(`SELECT title, phone FROM salesforce.lead WHERE id = $1`, [lead.id])).toEqual([
      { title: 'Director', phone: '555-0123' },
    ]);
    expect(
      await org.sql(`SELECT count(*)::int AS n FROM tandem.conflict_log WHERE row_id = $1 AND object = 'Lead'`, [
        lead.id,
      ]),
    ).toEqual([{ n: 0 }]);
  });

  it('resolves same-field conflicts per rule and logs every overwrite', async () => {
    const lead = await syncedLead({ Title: 'Old', LeadSource: 'Web', Industry: 'Banking', Rating: 'Cold' });
    // Title: Lead default (marketing wins). LeadSource: salesforce-unless-blank, Salesforce blanks it → marketing.
    // Industry: salesforce-wins. Rating: never-push.
    await org.rep
      .sobject('Lead')
      .update({ Id: lead.sfid, Title: 'From Sales', LeadSource: null, Industry: 'Energy', Rating: 'Hot' });
    await org.sql(
      `UPDATE salesforce.lead SET title = 'From Marketing', leadsource = 'Other', industry = 'Retail', rating = 'Warm' WHERE id = $1`,
      [lead.id],
    );
    const result = await org.cycle();
    expect(result.Lead!.conflicts).toBe(4);
    const remote = await org.rep.sobject('Lead').retrieve(lead.sfid);
    expect(remote).toMatchObject({ Title: 'From Marketing', LeadSource: 'Other', Industry: 'Energy', Rating: 'Hot' });
    expect(
      await org.sql(`SELECT title, leadsource, industry, rating FROM salesforce.lead WHERE id = $1`, [lead.id]),
    ).toEqual([{ title: 'From Marketing', leadsource: 'Other', industry: 'Energy', rating: 'Hot' }]);
    const log = await org.sql(
      `SELECT field, base_value, marketing_value, salesforce_value, winner, rule FROM tandem.conflict_log WHERE object = 'Lead' AND row_id = $1 ORDER BY field`,
      [lead.id],
    );
    expect(log).toEqual([
      {
        field: 'Industry',
        base_value: 'Banking',
        marketing_value: 'Retail',
        salesforce_value: 'Energy',
        winner: 'salesforce',
        rule: 'salesforce-wins',
      },
      {
        field: 'LeadSource',
        base_value: 'Web',
        marketing_value: 'Other',
        salesforce_value: null,
        winner: 'marketing',
        rule: 'salesforce-unless-blank',
      },
      {
        field: 'Rating',
        base_value: 'Cold',
        marketing_value: 'Warm',
        salesforce_value: 'Hot',
        winner: 'salesforce',
        rule: 'never-push',
      },
      {
        field: 'Title',
        base_value: 'Old',
        marketing_value: 'From Marketing',
        salesforce_value: 'From Sales',
        winner: 'marketing',
        rule: 'marketing-wins',
      },
    ]);
    expect(await openOutbox()).toBe(0);
  });

  it('Contact: Salesforce wins by default, a field configured marketing-wins goes the other way', async () => {
    const created = await org.rep.sobject('Contact').create({ LastName: 'Conflict', Title: 'A', Department: 'Ops' });
    await org.cycle();
    const [row] = await org.sql<{ id: string }>(`SELECT id FROM salesforce.contact WHERE sfid = $1`, [created.id]);
    await org.rep.sobject('Contact').update({ Id: created.id!, Title: 'Sales says', Department: 'Sales dept' });
    await org.sql(
      `UPDATE salesforce.contact SET title = 'Marketing says', department = 'Marketing dept' WHERE id = $1`,
      [row!.id],
    );
    await org.cycle();
    expect(await org.rep.sobject('Contact').retrieve(created.id!)).toMatchObject({
      Title: 'Sales says',
      Department: 'Marketing dept',
    });
    expect(await org.sql(`SELECT title, department FROM salesforce.contact WHERE id = $1`, [row!.id])).toEqual([
      { title: 'Sales says', department: 'Marketing dept' },
    ]);
    expect(
      await org.sql(
        `SELECT field, winner, rule FROM tandem.conflict_log WHERE object = 'Contact' AND row_id = $1 ORDER BY field`,
        [row!.id],
      ),
    ).toEqual([
      { field: 'Department', winner: 'marketing', rule: 'marketing-wins' },
      { field: 'Title', winner: 'salesforce', rule: 'salesforce-wins' },
    ]);
  });

  it('newest-wins picks the later change', async () => {
    const activities = org.withConfig({
      conflictRules: { Lead: { fields: { Title: 'newest-wins', Description: 'newest-wins' } } },
    });
    const lead = await syncedLead({ Title: 'T0', Description: 'D0' });
    // Title: Salesforce first, marketing later (the emulator clock is behind the database clock by 2 minutes, inside the pull's overlap window) → marketing.
    await org.admin('POST', '/clock', { advanceMs: -120_000 });
    await org.rep.sobject('Lead').update({ Id: lead.sfid, Title: 'T-sales' });
    await org.sql(`UPDATE salesforce.lead SET title = 'T-marketing' WHERE id = $1`, [lead.id]);
    await org.admin('POST', '/clock', { reset: true });
    await org.cycle(activities);
    expect(await org.rep.sobject('Lead').retrieve(lead.sfid)).toMatchObject({ Title: 'T-marketing' });
    // Description: marketing first, Salesforce 2 minutes later → Salesforce.
    await org.sql(`UPDATE salesforce.lead SET description = 'D-marketing' WHERE id = $1`, [lead.id]);
    await org.admin('POST', '/clock', { advanceMs: 120_000 });
    await org.rep.sobject('Lead').update({ Id: lead.sfid, Description: 'D-sales' });
    await org.cycle(activities);
    await org.admin('POST', '/clock', { reset: true });
    expect(await org.sql(`SELECT title, description FROM salesforce.lead WHERE id = $1`, [lead.id])).toEqual([
      { title: 'T-marketing', description: 'D-sales' },
    ]);
    expect(
      await org.sql(
        `SELECT field, winner, rule FROM tandem.conflict_log WHERE object = 'Lead' AND row_id = $1 ORDER BY id`,
        [lead.id],
      ),
    ).toEqual([
      { field: 'Title', winner: 'marketing', rule: 'newest-wins' },
      { field: 'Description', winner: 'salesforce', rule: 'newest-wins' },
    ]);
  });
});
