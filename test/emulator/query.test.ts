// Conformance: reading through jsforce 3 — query paging, queryAll, describe under field-level
// security, private records, single-record retrieve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { API_VERSION, rejection, soapLogin, start } from './support';
import type { Connection } from 'jsforce';

let em: RunningEmulator;
let sync: Connection;
let rep: Connection;

beforeAll(async () => {
  em = await start({ seed: 'demo', scale: 1, queryLocatorTtlSeconds: 60 });
  sync = await soapLogin(em, 'sync');
  rep = await soapLogin(em, 'rep');
});
afterAll(() => em.stop());

describe('query paging', () => {
  it('pages with Sforce-Query-Options batchSize and nextRecordsUrl until done', async () => {
    const soql = 'SELECT Id, Name, Owner.Name FROM Lead ORDER BY Id';
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    let page = await rep.query(soql, { headers });
    const total = page.totalSize;
    const seen: string[] = page.records.map((r) => r.Id as string);
    expect(page.records).toHaveLength(200);
    expect(page.done).toBe(false);
    expect(page.nextRecordsUrl).toMatch(/\/query\/01g[A-Za-z0-9]{15}-200$/);
    while (!page.done) {
      // jsforce forwards `headers` on queryMore at runtime; its typings only list them for query().
      page = await rep.queryMore(page.nextRecordsUrl!, { headers } as never);
      seen.push(...page.records.map((r) => r.Id as string));
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
  });

  it('defaults to pages of 2000 rows and clamps batchSize to at least 200', async () => {
    const big = await rep.query('SELECT Id FROM Task');
    expect(big.totalSize).toBeGreaterThan(200);
    expect(big.records).toHaveLength(Math.min(2000, big.totalSize));
    const small = await rep.query('SELECT Id FROM Task', { headers: { 'Sforce-Query-Options': 'batchSize=5' } });
    expect(small.records).toHaveLength(200);
  });

  it('expires idle locators with INVALID_QUERY_LOCATOR', async () => {
    const page = await rep.query('SELECT Id FROM Lead', { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    em.context.clock.advance(61_000);
    const err = await rejection(() => rep.queryMore(page.nextRecordsUrl!));
    expect(err.errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('returns deleted rows only through queryAll (scanAll), also across pages', async () => {
    const live = await rep.query('SELECT COUNT() FROM Lead WHERE IsDeleted = true');
    expect(live.totalSize).toBe(0);
    const all = await rep.query('SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true', { scanAll: true });
    expect(all.totalSize).toBeGreaterThan(0);
    expect(all.records.every((r) => r.IsDeleted === true)).toBe(true);
    // jsforce rewrites nextRecordsUrl to /query/{locator}; the raw answer points at /queryAll/.
    const raw = await fetch(
      `${em.url}/services/data/v${API_VERSION}/queryAll?q=${encodeURIComponent('SELECT Id FROM Lead')}`,
      {
        headers: { Authorization: `Bearer ${rep.accessToken}`, 'Sforce-Query-Options': 'batchSize=200' },
      },
    );
    expect(((await raw.json()) as { nextRecordsUrl: string }).nextRecordsUrl).toMatch(
      /^\/services\/data\/v62\.0\/queryAll\/01g[A-Za-z0-9]{15}-200$/,
    );
    let page = await rep.query('SELECT Id, IsDeleted FROM Lead', {
      scanAll: true,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    let deleted = page.records.filter((r) => r.IsDeleted).length;
    while (!page.done) {
      page = await rep.queryMore(page.nextRecordsUrl!);
      deleted += page.records.filter((r) => r.IsDeleted).length;
    }
    expect(deleted).toBe(all.totalSize);
  });

  it('returns parents nested, null when absent, and child subqueries', async () => {
    const r = await rep.query(
      'SELECT Id, Name, Account.Name, Account.Owner.Name FROM Contact WHERE AccountId != null LIMIT 1',
    );
    const rec = r.records[0] as Record<string, unknown>;
    expect(rec.Account).toMatchObject({ attributes: { type: 'Account' }, Owner: { attributes: { type: 'User' } } });
    const orphan = await rep.query('SELECT Id, What.Name FROM Task WHERE WhatId = null LIMIT 1');
    expect((orphan.records[0] as Record<string, unknown>).What).toBeNull();
    const polymorphic = await rep.query('SELECT Id, What.Name, What.Type FROM Task WHERE WhatId != null LIMIT 1');
    expect((polymorphic.records[0] as Record<string, unknown>).What).toMatchObject({ attributes: { type: 'Name' } });
    const accounts = await rep.query(
      'SELECT Id, (SELECT Id, LastName FROM Contacts ORDER BY LastName) FROM Account LIMIT 5',
    );
    const withContacts = accounts.records.find((a) => (a as Record<string, unknown>).Contacts !== null) as {
      Contacts: { totalSize: number; done: boolean; records: unknown[] };
    };
    expect(withContacts.Contacts.done).toBe(true);
    expect(withContacts.Contacts.records.length).toBe(withContacts.Contacts.totalSize);
  });

  it('answers MALFORMED_QUERY for bad SOQL with Salesforce wording', async () => {
    const err = await rejection(() => rep.query('SELECT Id FROM Lead WHERE'));
    expect(err.errorCode).toBe('MALFORMED_QUERY');
    expect(err.message).toMatch(/ERROR at Row:1:Column:\d+\nunexpected token/);
  });
});

describe('field-level security and sharing for the sync user', () => {
  it('omits hidden fields from describe but keeps them for the rep', async () => {
    const mine = await sync.sobject('Lead').describe();
    const theirs = await rep.sobject('Lead').describe();
    expect(mine.fields.map((f) => f.name)).not.toContain('AnnualRevenue');
    expect(theirs.fields.map((f) => f.name)).toContain('AnnualRevenue');
    const ext = mine.fields.find((f) => f.name === 'Tandem_Id__c')!;
    expect(ext).toMatchObject({ externalId: true, unique: true, type: 'string', length: 36 });
    const owner = mine.fields.find((f) => f.name === 'OwnerId')!;
    expect(owner).toMatchObject({ type: 'reference', referenceTo: ['Group', 'User'], relationshipName: 'Owner' });
    const status = mine.fields.find((f) => f.name === 'Status')!;
    expect(status.restrictedPicklist).toBe(true);
    expect(status.picklistValues?.find((p) => p.defaultValue)?.value).toBe('Open - Not Contacted');
    const address = mine.fields.find((f) => f.name === 'Address')!;
    expect(address.type).toBe('address');
    expect(mine.fields.find((f) => f.name === 'City')?.compoundFieldName).toBe('Address');
    expect(mine.fields.find((f) => f.name === 'Score_Band__c')).toMatchObject({ calculated: true, createable: false });
  });

  it('lists every object in describeGlobal with key prefixes', async () => {
    const g = await sync.describeGlobal();
    const prefixes = Object.fromEntries(g.sobjects.map((s) => [s.name, s.keyPrefix]));
    expect(prefixes).toMatchObject({
      Lead: '00Q',
      Contact: '003',
      Account: '001',
      User: '005',
      Group: '00G',
      Opportunity: '006',
      OpportunityContactRole: '00K',
      Campaign: '701',
      CampaignMember: '00v',
      CampaignMemberStatus: '01Y',
      Task: '00T',
      Event: '00U',
      Subscription__c: 'a0X',
    });
  });

  it('refuses to query a hidden field with INVALID_FIELD', async () => {
    const err = await rejection(() => sync.query('SELECT Id, Birthdate FROM Contact'));
    expect(err.errorCode).toBe('INVALID_FIELD');
    expect(err.message).toContain("No such column 'Birthdate' on entity 'Contact'");
  });

  it('refuses to write a hidden field', async () => {
    const err = await rejection(() => sync.sobject('Lead').create({ LastName: 'X', Company: 'Y', AnnualRevenue: 5 }));
    expect(err.errorCode).toBe('INVALID_FIELD');
  });

  it('does not show private records in query, queryAll or direct GET', async () => {
    const execId = em.credentials.exec.userId;
    const theirs = await rep.query(`SELECT Id FROM Account WHERE OwnerId = '${execId}'`);
    expect(theirs.totalSize).toBeGreaterThan(0);
    const mine = await sync.query(`SELECT Id FROM Account WHERE OwnerId = '${execId}'`);
    expect(mine.totalSize).toBe(0);
    const all = await sync.query(`SELECT Id FROM Account WHERE OwnerId = '${execId}'`, { scanAll: true });
    expect(all.totalSize).toBe(0);
    const id = theirs.records[0].Id as string;
    const err = await rejection(() => sync.sobject('Account').retrieve(id));
    expect(err.errorCode).toBe('NOT_FOUND');
    expect(await rep.sobject('Account').retrieve(id)).toMatchObject({ Id: id });
  });

  it('retrieves by 15-character id with all visible fields and a compound address', async () => {
    const r = await rep.query('SELECT Id FROM Account WHERE BillingCity != null LIMIT 1');
    const id = r.records[0].Id as string;
    const rec = (await sync.sobject('Account').retrieve(id.slice(0, 15))) as Record<string, unknown>;
    expect(rec.Id).toBe(id);
    expect(rec).not.toHaveProperty('AnnualRevenue');
    expect(rec.BillingAddress).toMatchObject({ city: rec.BillingCity });
    expect(rec.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
  });

  it('answers queries with the Salesforce JSON content type', async () => {
    const res = await fetch(
      `${em.url}/services/data/v${API_VERSION}/query?q=${encodeURIComponent('SELECT Id FROM User LIMIT 1')}`,
      {
        headers: { Authorization: `Bearer ${sync.accessToken}` },
      },
    );
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
  });
});
