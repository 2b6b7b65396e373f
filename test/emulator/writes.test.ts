// Conformance: writing through jsforce 3 — CRUD, upsert by external id, sObject Collections,
// and the org's save-time rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { API_VERSION, rejection, soapLogin, start } from './support';
import type { Connection } from 'jsforce';

let em: RunningEmulator;
let sync: Connection;
let rep: Connection;

beforeAll(async () => {
  em = await start();
  sync = await soapLogin(em, 'sync');
  rep = await soapLogin(em, 'rep');
});
afterAll(() => em.stop());

type Saved = {
  id: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  created?: boolean;
};

describe('single-record CRUD', () => {
  it('creates (201), updates (204), retrieves and deletes a record, stamping audit fields', async () => {
    const created = await sync.sobject('Contact').create({ LastName: 'Ng', Email: 'ng@example.com' });
    expect(created).toEqual({ id: expect.stringMatching(/^003[A-Za-z0-9]{15}$/), success: true, errors: [] });
    const before = (await sync.sobject('Contact').retrieve(created.id!)) as Record<string, unknown>;
    expect(before).toMatchObject({
      LastName: 'Ng',
      OwnerId: em.credentials.sync.userId,
      CreatedById: em.credentials.sync.userId,
      IsDeleted: false,
    });
    em.context.clock.advance(5_000);
    await sync.sobject('Contact').update({ Id: created.id!, Title: 'CTO' });
    const after = (await sync.sobject('Contact').retrieve(created.id!)) as Record<string, unknown>;
    expect(after.Title).toBe('CTO');
    expect(Date.parse(String(after.SystemModstamp).replace('+0000', 'Z'))).toBeGreaterThan(
      Date.parse(String(before.SystemModstamp).replace('+0000', 'Z')),
    );
    await sync.sobject('Contact').destroy(created.id!);
    const gone = await rejection(() => sync.sobject('Contact').retrieve(created.id!));
    expect(gone.errorCode).toBe('ENTITY_IS_DELETED');
    const again = await rejection(() => sync.sobject('Contact').destroy(created.id!));
    expect(again.errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('rejects missing required fields, too-long strings and bad restricted picklist values', async () => {
    const missing = await rejection(() => sync.sobject('Lead').create({ FirstName: 'No' }));
    expect(missing.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(missing.message).toBe('Required fields are missing: [LastName, Company]');
    const long = await rejection(() => sync.sobject('Lead').create({ LastName: 'x'.repeat(81), Company: 'C' }));
    expect(long.errorCode).toBe('STRING_TOO_LONG');
    expect(long.message).toMatch(/^Last Name: data value too large: x+\.\.\. \(max length=80\)$/);
    const pick = await rejection(() => sync.sobject('Lead').create({ LastName: 'P', Company: 'C', Status: 'Nope' }));
    expect(pick.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const readOnly = await rejection(() =>
      sync.sobject('Lead').create({ LastName: 'P', Company: 'C', IsConverted: true }),
    );
    expect(readOnly.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('enforces the lead validation rule with FIELD_CUSTOM_VALIDATION_EXCEPTION', async () => {
    const err = await rejection(() =>
      sync.sobject('Lead').create({ LastName: 'V', Company: 'C', Status: 'Working - Contacted' }),
    );
    expect(err.errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(err.message).toBe('A lead being worked needs an email address or a phone number.');
    const ok = await sync
      .sobject('Lead')
      .create({ LastName: 'V', Company: 'C', Status: 'Working - Contacted', Phone: '555' });
    expect(ok.success).toBe(true);
  });

  it('blocks a lead with a duplicate email unless the duplicate rule header allows the save', async () => {
    await sync.sobject('Lead').create({ LastName: 'Dup', Company: 'C', Email: 'dup@example.com' });
    const err = await rejection(() =>
      sync.sobject('Lead').create({ LastName: 'Dup2', Company: 'C', Email: 'DUP@example.com' }),
    );
    expect(err.errorCode).toBe('DUPLICATES_DETECTED');
    const allowed = await sync
      .sobject('Lead')
      .create(
        { LastName: 'Dup2', Company: 'C', Email: 'dup@example.com' },
        { headers: { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } },
      );
    expect(allowed.success).toBe(true);
  });

  it('refuses to update a lead with a value of the wrong lookup type', async () => {
    const lead = await sync.sobject('Lead').create({ LastName: 'Q', Company: 'C' });
    const err = await rejection(() => sync.sobject('Lead').update({ Id: lead.id!, OwnerId: lead.id! }));
    expect(err.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    await sync.sobject('Lead').update({ Id: lead.id!, OwnerId: em.credentials.queueId });
    const rec = (await sync.sobject('Lead').retrieve(lead.id!)) as Record<string, unknown>;
    expect(rec.OwnerId).toBe(em.credentials.queueId);
  });
});

describe('upsert by external id', () => {
  it('answers 201 on insert, 200 on update and 300 on several matches', async () => {
    const inserted = (await sync
      .sobject('Contact')
      .upsert({ LastName: 'Up', Tandem_Id__c: 'tnd-1' }, 'Tandem_Id__c')) as Saved;
    expect(inserted).toMatchObject({ success: true, created: true });
    const updated = (await sync
      .sobject('Contact')
      .upsert({ LastName: 'Up2', Tandem_Id__c: 'tnd-1' }, 'Tandem_Id__c')) as Saved;
    expect(updated).toMatchObject({ id: inserted.id!, success: true, created: false });
    const raw = await fetch(`${em.url}/services/data/v${API_VERSION}/sobjects/Contact/Tandem_Id__c/tnd-2`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${sync.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ LastName: 'Raw' }),
    });
    expect(raw.status).toBe(201);
    await sync.sobject('Contact').create([
      { LastName: 'L1', Legacy_Id__c: 'LEG-X' },
      { LastName: 'L2', Legacy_Id__c: 'LEG-X' },
    ]);
    const multiple = await rejection(() =>
      sync.sobject('Contact').upsert({ LastName: 'L3', Legacy_Id__c: 'LEG-X' }, 'Legacy_Id__c'),
    );
    expect(multiple.errorCode).toBe('MULTIPLE_CHOICES');
  });

  it('rejects a second record with the same unique external id with DUPLICATE_VALUE', async () => {
    await sync.sobject('Lead').create({ LastName: 'U1', Company: 'C', Tandem_Id__c: 'uniq-1' });
    const err = await rejection(() =>
      sync.sobject('Lead').create({ LastName: 'U2', Company: 'C', Tandem_Id__c: 'UNIQ-1' }),
    );
    expect(err.errorCode).toBe('DUPLICATE_VALUE');
  });
});

describe('sObject Collections', () => {
  it('creates with mixed results in input order and HTTP 200', async () => {
    const results = (await sync.sobject('Lead').create(
      [
        { LastName: 'Ok1', Company: 'C' },
        { FirstName: 'NoLast', Company: 'C' },
        { LastName: 'Ok2', Company: 'C' },
      ],
      { allOrNone: false },
    )) as Saved[];
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1].errors).toEqual([
      {
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [LastName]',
        fields: ['LastName'],
      },
    ]);
    const check = await sync.query(`SELECT COUNT() FROM Lead WHERE LastName IN ('Ok1', 'Ok2')`);
    expect(check.totalSize).toBe(2);
  });

  it('rolls everything back under allOrNone and marks healthy records ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const results = (await sync
      .sobject('Lead')
      .create([{ LastName: 'Aon1', Company: 'C' }, { LastName: 'Aon2' }], { allOrNone: true })) as Saved[];
    expect(results.map((r) => r.success)).toEqual([false, false]);
    expect(results[0].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(results[1].errors[0].statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect((await sync.query("SELECT COUNT() FROM Lead WHERE LastName = 'Aon1'")).totalSize).toBe(0);
  });

  it('updates, upserts, retrieves and deletes in collections', async () => {
    const [a, b] = (await sync.sobject('Account').create([{ Name: 'Col A' }, { Name: 'Col B' }])) as Saved[];
    const updated = (await sync.sobject('Account').update([
      { Id: a.id!, Name: 'Col A2' },
      { Id: b.id!, Customer_Tier__c: 'Mythril' },
    ])) as Saved[];
    expect(updated.map((r) => r.success)).toEqual([true, false]);
    expect(updated[1].errors[0].statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const upserted = (await sync
      .sobject('Account')
      .upsert([{ Name: 'Col C', Tandem_Id__c: 'acc-c' }, { Tandem_Id__c: 'acc-d' }], 'Tandem_Id__c')) as Saved[];
    expect(upserted[0]).toMatchObject({ success: true, created: true });
    expect(upserted[1]).toMatchObject({ success: false, created: false });
    expect(upserted[1].errors[0].statusCode).toBe('REQUIRED_FIELD_MISSING');
    const fetched = (await sync
      .sobject('Account')
      .retrieve([a.id!, b.id!, '001000000000000AAA'], { fields: ['Name'] })) as Array<Record<string, unknown> | null>;
    expect(fetched[0]).toMatchObject({ Id: a.id!, Name: 'Col A2' });
    expect(fetched[2]).toBeNull();
    const deleted = (await sync.sobject('Account').destroy([a.id!, b.id!])) as Saved[];
    expect(deleted.every((r) => r.success)).toBe(true);
  });

  it('refuses more than 200 records in one call', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({
      attributes: { type: 'Lead' },
      LastName: `Big${i}`,
      Company: 'C',
    }));
    const res = await fetch(`${em.url}/services/data/v${API_VERSION}/composite/sobjects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sync.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ allOrNone: false, records }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });
});

describe('recycle bin and cascades', () => {
  it('cascades an account delete to its contacts and opportunities and bumps their stamps; undelete restores them', async () => {
    const acct = await rep.sobject('Account').create({ Name: 'Cascade Co' });
    const contact = await rep.sobject('Contact').create({ LastName: 'Kid', AccountId: acct.id! });
    const opp = await rep
      .sobject('Opportunity')
      .create({ Name: 'Deal', AccountId: acct.id!, StageName: 'Prospecting', CloseDate: '2030-01-01' });
    const sub = await rep.sobject('Subscription__c').create({ Name: 'S', Plan__c: 'Pro', Account__c: acct.id! });
    em.context.clock.advance(3_000);
    await rep.sobject('Account').destroy(acct.id!);
    const bin = await rep.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${contact.id!}'`, { scanAll: true });
    expect(bin.records[0]).toMatchObject({ IsDeleted: true });
    expect((await rep.query(`SELECT COUNT() FROM Opportunity WHERE Id = '${opp.id!}'`)).totalSize).toBe(0);
    const cleared = (await rep.sobject('Subscription__c').retrieve(sub.id!)) as Record<string, unknown>;
    expect(cleared.Account__c).toBeNull();
    expect(cleared.SystemModstamp).not.toBe(cleared.LastModifiedDate);
    const [undeleted] = (await rep.soap.undelete([acct.id!])) as Array<{ success: boolean }>;
    expect(undeleted.success).toBe(true);
    expect((await rep.query(`SELECT COUNT() FROM Contact WHERE Id = '${contact.id!}'`)).totalSize).toBe(1);
  });

  it('purges records from the bin with emptyRecycleBin so queryAll no longer sees them', async () => {
    const lead = await rep.sobject('Lead').create({ LastName: 'Purge', Company: 'C' });
    await rep.sobject('Lead').destroy(lead.id!);
    const [res] = (await rep.soap.emptyRecycleBin([lead.id!])) as unknown as Array<{ success: boolean }>;
    expect(res.success).toBe(true);
    expect((await rep.query(`SELECT COUNT() FROM Lead WHERE Id = '${lead.id!}'`, { scanAll: true })).totalSize).toBe(0);
  });
});

describe('campaign members', () => {
  it('takes the default status, derives HasResponded from the campaign statuses and rejects unknown statuses', async () => {
    const campaign = await rep.sobject('Campaign').create({ Name: 'Launch' });
    const statuses = await rep.query(
      `SELECT Label, IsDefault, HasResponded FROM CampaignMemberStatus WHERE CampaignId = '${campaign.id!}' ORDER BY SortOrder`,
    );
    expect(statuses.records.map((r) => r.Label)).toEqual(['Sent', 'Responded']);
    const lead = await rep.sobject('Lead').create({ LastName: 'Member', Company: 'C' });
    const member = await rep.sobject('CampaignMember').create({ CampaignId: campaign.id!, LeadId: lead.id! });
    let rec = (await rep.sobject('CampaignMember').retrieve(member.id!)) as Record<string, unknown>;
    expect(rec).toMatchObject({ Status: 'Sent', HasResponded: false, FirstRespondedDate: null });
    await rep.sobject('CampaignMember').update({ Id: member.id!, Status: 'Responded' });
    rec = (await rep.sobject('CampaignMember').retrieve(member.id!)) as Record<string, unknown>;
    expect(rec.HasResponded).toBe(true);
    expect(rec.FirstRespondedDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const bad = await rejection(() => rep.sobject('CampaignMember').update({ Id: member.id!, Status: 'Attended' }));
    expect(bad.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const dupe = await rejection(() =>
      rep.sobject('CampaignMember').create({ CampaignId: campaign.id!, LeadId: lead.id! }),
    );
    expect(dupe.errorCode).toBe('DUPLICATE_VALUE');
  });
});

describe('atomic writes under concurrent load', () => {
  it('commits each all-or-none collection entirely or not at all while requests race', async () => {
    const batches = Array.from({ length: 12 }, (_, b) =>
      Array.from({ length: 200 }, (_, i) => ({
        LastName: b % 2 === 1 && i === 199 ? '' : `Race${b}-${i}`,
        Company: 'Race Co',
        Description: `batch-${b}`,
      })),
    );
    const results = (await Promise.all(
      batches.map((records) => sync.sobject('Lead').create(records, { allOrNone: true })),
    )) as Saved[][];
    results.forEach((batch, b) => expect(batch.every((r) => r.success)).toBe(b % 2 === 0));
    const counts = await rep.query("SELECT Description FROM Lead WHERE Company = 'Race Co'");
    const perBatch = new Map<string, number>();
    for (const r of counts.records) perBatch.set(String(r.Description), (perBatch.get(String(r.Description)) ?? 0) + 1);
    expect([...perBatch.entries()].sort()).toEqual(
      Array.from({ length: 6 }, (_, k) => [`batch-${k * 2}`, 200] as [string, number]).sort(),
    );
  });
});
