// Unit tests of the SOQL evaluator: the store is driven directly, no HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { SalesforceError } from '../../src/emulator/errors';
import { createEmulator } from '../../src/emulator/server';
import type { OrgStore } from '../../src/emulator/store/org-store';
import type { OrgUser } from '../../src/emulator/users';

let store: OrgStore;
let rep: OrgUser;
let sync: OrgUser;
const ids: Record<string, string> = {};

function q(soql: string, user = rep, includeDeleted = false) {
  return store.query(user, soql, { includeDeleted });
}

function names(soql: string, user = rep): string[] {
  const r = q(soql, user);
  return r.rows.map((row) => String(r.toFlat(row)[0]));
}

function soqlError(soql: string, user = rep): SalesforceError {
  try {
    q(soql, user);
  } catch (err) {
    if (err instanceof SalesforceError) return err;
    throw err;
  }
  throw new Error('expected a SOQL error');
}

beforeAll(() => {
  const em = createEmulator({ seed: 'empty' });
  store = em.context.store;
  rep = store.users.get(em.credentials.rep.userId)!;
  sync = store.users.get(em.credentials.sync.userId)!;
  const exec = em.credentials.exec.userId;
  const [acme, globex] = store.applyWrites(rep, [
    { op: 'create', type: 'Account', values: { Name: 'Acme' } },
    { op: 'create', type: 'Account', values: { Name: 'Globex', OwnerId: exec } },
  ]);
  ids.acme = acme.id!;
  ids.globex = globex.id!;
  const leads = store.applyWrites(rep, [
    {
      op: 'create',
      type: 'Lead',
      values: {
        LastName: 'Adams',
        FirstName: 'Ann',
        Company: 'A Co',
        Email: 'ann@a.example.com',
        Lead_Score__c: 80,
        Rating: 'Hot',
      },
    },
    {
      op: 'create',
      type: 'Lead',
      values: { LastName: 'baker', Company: 'B Co', Email: 'bob@b.example.com', Lead_Score__c: 45 },
    },
    { op: 'create', type: 'Lead', values: { LastName: 'Clark', Company: '50% Co', Lead_Score__c: 10, Rating: 'Cold' } },
    { op: 'create', type: 'Lead', values: { LastName: 'Diaz', Company: 'D Co', OwnerId: exec, Rating: 'Warm' } },
  ]);
  leads.forEach((r, i) => (ids[`lead${i}`] = r.id!));
  store.applyWrites(rep, [
    { op: 'create', type: 'Contact', values: { LastName: 'Evans', AccountId: ids.acme, Email: 'e@acme.example.com' } },
    { op: 'create', type: 'Contact', values: { LastName: 'Fox', AccountId: ids.acme } },
    { op: 'create', type: 'Contact', values: { LastName: 'Gray' } },
  ]);
  store.applyWrites(rep, [{ op: 'delete', id: ids.lead1 }]);
});

describe('SOQL evaluator', () => {
  it('filters with AND/OR/NOT and parentheses with AND binding tighter than OR', () => {
    expect(
      names(
        "SELECT LastName FROM Lead WHERE (Rating = 'Hot' OR Rating = 'Cold') AND NOT Lead_Score__c < 50 ORDER BY LastName",
      ),
    ).toEqual(['Adams']);
    expect(
      names(
        "SELECT LastName FROM Lead WHERE Rating = 'Cold' OR Rating = 'Warm' AND LastName = 'Diaz' ORDER BY LastName",
      ),
    ).toEqual(['Clark', 'Diaz']);
    expect(names("SELECT LastName FROM Lead WHERE NOT (Rating = 'Hot' OR Rating = null) ORDER BY LastName")).toEqual([
      'Clark',
      'Diaz',
    ]);
  });

  it('compares strings case-insensitively and treats != as matching nulls', () => {
    expect(names("SELECT LastName FROM Lead WHERE LastName = 'ADAMS'")).toEqual(['Adams']);
    expect(names("SELECT LastName FROM Lead WHERE Rating != 'Hot' ORDER BY LastName")).toEqual(['Clark', 'Diaz']);
    expect(names('SELECT LastName FROM Lead WHERE Rating = null')).toEqual([]);
  });

  it('supports IN, NOT IN, LIKE with escapes, and numeric ranges', () => {
    expect(names("SELECT LastName FROM Lead WHERE Rating IN ('Hot', 'warm') ORDER BY LastName")).toEqual([
      'Adams',
      'Diaz',
    ]);
    expect(names("SELECT LastName FROM Lead WHERE Rating NOT IN ('Hot') ORDER BY LastName")).toEqual(['Clark', 'Diaz']);
    expect(names("SELECT LastName FROM Lead WHERE Company LIKE '50\\% c%'")).toEqual(['Clark']);
    expect(names("SELECT LastName FROM Lead WHERE Company LIKE '_ co' ORDER BY LastName")).toEqual(['Adams', 'Diaz']);
    expect(
      names('SELECT LastName FROM Lead WHERE Lead_Score__c >= 10 AND Lead_Score__c <= 80 ORDER BY Lead_Score__c DESC'),
    ).toEqual(['Adams', 'Clark']);
  });

  it('orders with NULLS FIRST by default and NULLS LAST on request, and applies LIMIT and OFFSET', () => {
    expect(names('SELECT LastName FROM Lead ORDER BY Lead_Score__c')).toEqual(['Diaz', 'Clark', 'Adams']);
    expect(names('SELECT LastName FROM Lead ORDER BY Lead_Score__c ASC NULLS LAST')).toEqual([
      'Clark',
      'Adams',
      'Diaz',
    ]);
    expect(names('SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1')).toEqual(['Clark', 'Diaz']);
  });

  it('reads parent fields through lookups and polymorphic owners', () => {
    const r = q("SELECT LastName, Account.Name, Owner.Name FROM Contact WHERE Account.Name = 'Acme' ORDER BY LastName");
    expect(r.columns).toEqual(['LastName', 'Account.Name', 'Owner.Name']);
    expect(r.toFlat(r.rows[0])).toEqual(['Evans', 'Acme', 'Riley Morgan']);
    const record = r.toRecord(r.rows[0]);
    expect(record.Account).toMatchObject({ attributes: { type: 'Account' }, Name: 'Acme' });
    const lead = q("SELECT LastName, Owner.Name, Owner.Type FROM Lead WHERE LastName = 'Adams'");
    expect(lead.toFlat(lead.rows[0])).toEqual(['Adams', 'Riley Morgan', 'User']);
    expect(lead.toRecord(lead.rows[0]).Owner).toMatchObject({
      attributes: { type: 'Name' },
      Name: 'Riley Morgan',
      Type: 'User',
    });
    const orphan = q("SELECT LastName, Account.Name FROM Contact WHERE LastName = 'Gray'");
    expect(orphan.toRecord(orphan.rows[0]).Account).toBeNull();
  });

  it('filters by datetime literals and date literals on SystemModstamp', () => {
    expect(
      names('SELECT LastName FROM Lead WHERE SystemModstamp > 2000-01-01T00:00:00Z ORDER BY LastName'),
    ).toHaveLength(3);
    expect(names('SELECT LastName FROM Lead WHERE CreatedDate = TODAY ORDER BY LastName')).toEqual([
      'Adams',
      'Clark',
      'Diaz',
    ]);
    expect(names('SELECT LastName FROM Lead WHERE CreatedDate < LAST_N_DAYS:3')).toEqual([]);
    expect(names('SELECT LastName FROM Lead WHERE CreatedDate > 2999-01-01T00:00:00+00:00')).toEqual([]);
  });

  it('counts with COUNT() and evaluates semi-joins', () => {
    expect(q('SELECT COUNT() FROM Contact').totalSize).toBe(3);
    expect(
      q(`SELECT COUNT() FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE Name = 'Acme')`).totalSize,
    ).toBe(2);
    expect(q('SELECT COUNT(Id) FROM Lead').aggregateRecords[0].expr0).toBe(3);
  });

  it('includes recycle-bin rows only for queryAll', () => {
    expect(q('SELECT Id FROM Lead WHERE IsDeleted = true').totalSize).toBe(0);
    expect(q('SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true', rep, true).rows.map((row) => row[0])).toEqual([
      ids.lead1,
    ]);
  });

  it('hides private records and FLS-hidden fields from the sync user', () => {
    expect(names('SELECT LastName FROM Lead ORDER BY LastName', sync)).toEqual(['Adams', 'Clark']);
    expect(names('SELECT Name FROM Account', sync)).toEqual(['Acme']);
    const err = soqlError('SELECT Id, AnnualRevenue FROM Lead', sync);
    expect(err.errorCode).toBe('INVALID_FIELD');
    expect(err.message).toContain("No such column 'AnnualRevenue' on entity 'Lead'");
    expect(err.message).toContain('ERROR at Row:1:Column:12');
  });

  it('expands FIELDS() without hidden fields and enforces the LIMIT 200 rule', () => {
    const all = q('SELECT FIELDS(ALL) FROM Lead LIMIT 200', sync);
    expect(all.columns).toContain('Tandem_Id__c');
    expect(all.columns).not.toContain('AnnualRevenue');
    expect(q('SELECT FIELDS(CUSTOM) FROM Lead LIMIT 10').columns).toEqual([
      'Tandem_Id__c',
      'Lead_Score__c',
      'Score_Band__c',
    ]);
    expect(soqlError('SELECT FIELDS(ALL) FROM Lead').message).toBe(
      'The SOQL FIELDS function must have a LIMIT of at most 200',
    );
    expect(q('SELECT FIELDS(STANDARD) FROM Lead').columns).toContain('LastName');
  });

  it('computes formula fields at read time', () => {
    expect(names("SELECT Score_Band__c FROM Lead WHERE LastName = 'Adams'")).toEqual(['Hot']);
    expect(names("SELECT Account_Name__c FROM Contact WHERE LastName = 'Fox'")).toEqual(['Acme']);
  });

  it('reports malformed queries, unknown objects, bad filters and offsets as Salesforce does', () => {
    expect(soqlError('SELECT Id FROM').errorCode).toBe('MALFORMED_QUERY');
    const type = soqlError('SELECT Id FROM Leed');
    expect(type.errorCode).toBe('INVALID_TYPE');
    expect(type.message).toContain("sObject type 'Leed' is not supported.");
    expect(soqlError('SELECT Id, Nope__r.Name FROM Lead').message).toContain(
      "Didn't understand relationship 'Nope__r' in field path",
    );
    expect(soqlError('SELECT Id FROM Lead WHERE LastName = 5').errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(soqlError("SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'").errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
    expect(soqlError('SELECT Id FROM Lead LIMIT 10 OFFSET 2001').errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    expect(soqlError('SELECT Id, Id FROM Lead').message).toContain('duplicate field selected: Id');
  });

  it('accepts 15-character ids in filters', () => {
    expect(names(`SELECT Name FROM Account WHERE Id = '${ids.acme.slice(0, 15)}'`)).toEqual(['Acme']);
  });

  it('projects CSV cells with Z datetimes, true/false booleans and empty nulls', () => {
    const r = q("SELECT LastName, CreatedDate, IsConverted, Rating FROM Lead WHERE LastName = 'baker'", rep, true);
    const [last, created, converted, rating] = r.toCsv(r.rows[0]);
    expect(last).toBe('baker');
    expect(created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    expect(converted).toBe('false');
    expect(rating).toBe('');
  });
});
