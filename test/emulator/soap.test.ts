// Conformance: lead conversion and merges through jsforce 3's `conn.soap` (partner API).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { rejection, soapLogin, start } from './support';
import type { Connection } from 'jsforce';

let em: RunningEmulator;
let rep: Connection;
let sync: Connection;

beforeAll(async () => {
  em = await start();
  rep = await soapLogin(em, 'rep');
  sync = await soapLogin(em, 'sync');
});
afterAll(() => em.stop());

describe('convertLead', () => {
  it('creates account, contact and opportunity, moves campaign members and locks the lead', async () => {
    const lead = await rep.sobject('Lead').create({
      FirstName: 'Cora',
      LastName: 'Vert',
      Company: 'Convert Co',
      Email: 'cora@convert.example.com',
      City: 'Austin',
    });
    const campaign = await rep.sobject('Campaign').create({ Name: 'Conv Campaign' });
    const member = await rep.sobject('CampaignMember').create({ CampaignId: campaign.id!, LeadId: lead.id! });
    const result = await sync.soap.convertLead({
      leadId: lead.id!,
      convertedStatus: 'Closed - Converted',
      doNotCreateOpportunity: false,
      opportunityName: 'Convert Deal',
    } as never);
    const r = result as unknown as {
      success: boolean;
      accountId: string;
      contactId: string;
      opportunityId: string;
      leadId: string;
    };
    expect(r.success).toBe(true);
    expect(r.accountId).toMatch(/^001/);
    expect(r.contactId).toMatch(/^003/);
    expect(r.opportunityId).toMatch(/^006/);
    const converted = (await sync.sobject('Lead').retrieve(lead.id!)) as Record<string, unknown>;
    expect(converted).toMatchObject({
      IsConverted: true,
      Status: 'Closed - Converted',
      ConvertedAccountId: r.accountId,
      ConvertedContactId: r.contactId,
      ConvertedOpportunityId: r.opportunityId,
    });
    expect(converted.ConvertedDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const contact = (await sync.sobject('Contact').retrieve(r.contactId)) as Record<string, unknown>;
    expect(contact).toMatchObject({
      FirstName: 'Cora',
      LastName: 'Vert',
      Email: 'cora@convert.example.com',
      AccountId: r.accountId,
      MailingCity: 'Austin',
    });
    expect(((await sync.sobject('Account').retrieve(r.accountId)) as Record<string, unknown>).Name).toBe('Convert Co');
    const role = await sync.query(
      `SELECT ContactId, IsPrimary FROM OpportunityContactRole WHERE OpportunityId = '${r.opportunityId}'`,
    );
    expect(role.records[0]).toMatchObject({ ContactId: r.contactId, IsPrimary: true });
    const cm = (await sync.sobject('CampaignMember').retrieve(member.id!)) as Record<string, unknown>;
    expect(cm).toMatchObject({ LeadId: lead.id!, ContactId: r.contactId });
    const locked = await rejection(() => sync.sobject('Lead').update({ Id: lead.id!, Title: 'Late edit' }));
    expect(locked.errorCode).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
  });

  it('matches an existing account and skips the opportunity on request', async () => {
    const account = await rep.sobject('Account').create({ Name: 'Existing Co' });
    const lead = await rep.sobject('Lead').create({ LastName: 'Match', Company: 'Existing Co' });
    const r = (await sync.soap.convertLead({
      leadId: lead.id!,
      accountId: account.id!,
      convertedStatus: 'Closed - Converted',
      doNotCreateOpportunity: true,
    } as never)) as unknown as {
      success: boolean;
      accountId: string;
      opportunityId: string | null;
    };
    expect(r).toMatchObject({ success: true, accountId: account.id!, opportunityId: null });
  });

  it('answers a per-lead error for a status that is not a converted status', async () => {
    const lead = await rep.sobject('Lead').create({ LastName: 'Bad', Company: 'C' });
    const r = (await sync.soap.convertLead({
      leadId: lead.id!,
      convertedStatus: 'Open - Not Contacted',
      doNotCreateOpportunity: true,
    } as never)) as unknown as {
      success: boolean;
      errors: Array<{ statusCode: string }>;
    };
    expect(r.success).toBe(false);
    expect(r.errors[0].statusCode).toBe('INVALID_STATUS');
    expect((await sync.sobject('Lead').retrieve(lead.id!)) as Record<string, unknown>).toMatchObject({
      IsConverted: false,
    });
  });
});

describe('merge', () => {
  it('merges contacts: the loser is deleted with MasterRecordId and its children move to the master', async () => {
    const master = await rep.sobject('Contact').create({ LastName: 'Master', Email: 'm@example.com' });
    const loser = await rep.sobject('Contact').create({ LastName: 'Loser', Phone: '555-0100' });
    const task = await rep.sobject('Task').create({ Subject: 'Call', WhoId: loser.id! });
    const before = (await rep.sobject('Task').retrieve(task.id!)) as Record<string, unknown>;
    em.context.clock.advance(2_000);
    const result = (await rep.soap.merge({
      masterRecord: { type: 'Contact', Id: master.id!, Phone: '555-0100' },
      recordToMergeIds: [loser.id!],
    } as never)) as unknown as {
      success: boolean;
      id: string;
      mergedRecordIds: string[];
      updatedRelatedIds: string[];
    };
    expect(result).toMatchObject({
      success: true,
      id: master.id!,
      mergedRecordIds: [loser.id!],
      updatedRelatedIds: [task.id!],
    });
    const gone = await rep.query(`SELECT Id, IsDeleted, MasterRecordId FROM Contact WHERE Id = '${loser.id!}'`, {
      scanAll: true,
    });
    expect(gone.records[0]).toMatchObject({ IsDeleted: true, MasterRecordId: master.id! });
    const moved = (await rep.sobject('Task').retrieve(task.id!)) as Record<string, unknown>;
    expect(moved.WhoId).toBe(master.id!);
    expect(moved.SystemModstamp).not.toBe(before.SystemModstamp);
    expect(((await rep.sobject('Contact').retrieve(master.id!)) as Record<string, unknown>).Phone).toBe('555-0100');
  });

  it('merges leads and accounts and refuses objects Salesforce cannot merge', async () => {
    const [a, b] = (await rep.sobject('Account').create([{ Name: 'Acc M' }, { Name: 'Acc L' }])) as Array<{
      id: string;
    }>;
    const child = await rep.sobject('Contact').create({ LastName: 'Moves', AccountId: b.id! });
    const merged = (await rep.soap.merge({
      masterRecord: { type: 'Account', Id: a.id! },
      recordToMergeIds: [b.id!],
    } as never)) as unknown as { success: boolean };
    expect(merged.success).toBe(true);
    expect(((await rep.sobject('Contact').retrieve(child.id!)) as Record<string, unknown>).AccountId).toBe(a.id!);
    const [l1, l2] = (await rep.sobject('Lead').create([
      { LastName: 'L1', Company: 'C' },
      { LastName: 'L2', Company: 'C' },
    ])) as Array<{ id: string }>;
    const leadMerge = (await rep.soap.merge({
      masterRecord: { type: 'Lead', Id: l1.id! },
      recordToMergeIds: [l2.id!],
    } as never)) as unknown as { success: boolean };
    expect(leadMerge.success).toBe(true);
    const opp = await rep
      .sobject('Opportunity')
      .create({ Name: 'O', StageName: 'Prospecting', CloseDate: '2030-01-01' });
    const opp2 = await rep
      .sobject('Opportunity')
      .create({ Name: 'O2', StageName: 'Prospecting', CloseDate: '2030-01-01' });
    const refused = (await rep.soap.merge({
      masterRecord: { type: 'Opportunity', Id: opp.id! },
      recordToMergeIds: [opp2.id!],
    } as never)) as unknown as {
      success: boolean;
      errors: Array<{ statusCode: string }>;
    };
    expect(refused.success).toBe(false);
    expect(refused.errors[0].statusCode).toBe('INVALID_OPERATION');
  });
});
