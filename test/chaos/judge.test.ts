// The chaos audit's judge on crafted snapshots: it passes equal sides and reports each kind of loss.
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, differs, eighteen, judge, type AuditInput, type ObjectSnapshot } from '../../chaos/judge';

const LEAD = eighteen('00Q000000000001'); // 00Q000000000001EAA
const LEAD2 = eighteen('00Q000000000002');
const CAMPAIGN = '701000000000001AAA';

function world(): AuditInput {
  const lead: ObjectSnapshot = {
    object: 'Lead',
    twoWay: true,
    fields: [
      { name: 'LastName', column: 'lastname', type: 'string' },
      { name: 'AnnualRevenue', column: 'annualrevenue', type: 'currency' },
      { name: 'Birthdate__c', column: 'birthdate__c', type: 'date' },
      { name: 'LastModifiedDate', column: 'lastmodifieddate', type: 'datetime' },
      { name: 'IsConverted', column: 'isconverted', type: 'boolean' },
      { name: 'Email', column: 'email', type: 'email' },
    ],
    naturalKeys: [['Email']],
    local: [
      {
        rowId: '1',
        sfid: LEAD,
        isdeleted: false,
        values: {
          lastname: 'Ada',
          annualrevenue: '987654321098765432',
          birthdate__c: '1700-01-01',
          lastmodifieddate: '2026-12-01 22:00:00.5+00',
          isconverted: 'false',
          email: 'ada@example.test',
        },
      },
      {
        rowId: '2',
        sfid: LEAD2,
        isdeleted: false,
        values: {
          lastname: 'Grace',
          annualrevenue: '12.50',
          birthdate__c: '4000-12-31',
          lastmodifieddate: '2026-12-01 23:00:00+01',
          isconverted: 'true',
          email: 'grace@example.test',
        },
      },
    ],
    remote: [
      {
        Id: LEAD,
        LastName: 'Ada',
        AnnualRevenue: '987654321098765432',
        Birthdate__c: '1700-01-01',
        LastModifiedDate: '2026-12-01T22:00:00.500+0000',
        IsConverted: false,
        Email: 'ada@example.test',
      },
      {
        Id: LEAD2,
        LastName: 'Grace',
        AnnualRevenue: 12.5,
        Birthdate__c: '4000-12-31',
        LastModifiedDate: '2026-12-01T22:00:00.000+0000',
        IsConverted: true,
        Email: 'grace@example.test',
      },
    ],
  };
  const campaign: ObjectSnapshot = {
    object: 'Campaign',
    twoWay: true,
    fields: [{ name: 'Name', column: 'name', type: 'string' }],
    local: [{ rowId: '7', sfid: CAMPAIGN, isdeleted: false, values: { name: 'Mk campaign 1' } }],
    remote: [{ Id: CAMPAIGN, Name: 'Mk campaign 1' }],
  };
  return {
    objects: [lead, campaign],
    openErrors: [
      { object: 'Lead', rowId: '2', code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'Status: bad value' },
    ],
    outbox: [{ object: 'Lead', rowId: '2', status: 'failed' }],
    refusals: [{ object: 'Lead', rowId: '2', why: 'unknown restricted picklist value' }],
    values: [{ side: 'marketing', object: 'Lead', sfid: LEAD, field: 'AnnualRevenue', value: '987654321098765432' }],
    records: [{ side: 'marketing', object: 'Campaign', field: 'Name', value: 'Mk campaign 1' }],
    deletions: [],
  };
}

const kinds = (input: AuditInput): string[] => judge(input).findings.map((f) => `${f.kind} ${f.object}`);

describe('the chaos judge', () => {
  it('passes two equal sides, explaining the open error the workload provoked', () => {
    const audit = judge(world());
    expect(audit.findings).toEqual([]);
    expect(audit.byObject.Lead).toMatchObject({ rowsCompared: 2, errorsExplained: 1, errorsUnexplained: 0 });
  });

  it('reports a numeric off in its 16th digit, on both the row and the change that wrote it', () => {
    const input = world();
    // What a double makes of 987654321098765432: 987654321098765440.
    input.objects[0]!.remote[0]!.AnnualRevenue = Number('987654321098765432');
    const audit = judge(input);
    expect(audit.findings.map((f) => f.text).join('\n')).toMatch(
      /AnnualRevenue: PostgreSQL "987654321098765432" vs Salesforce 987654321098765400 \(decimal 987654321098765432 vs 987654321098765440\)/,
    );
    expect(kinds(input)).toEqual(['mismatch Lead', 'lost Lead']);
  });

  it('reports a local row with no sfid and no outbox entry, and a Salesforce record missing locally', () => {
    const input = world();
    input.objects[0]!.local.push({ rowId: '3', sfid: null, isdeleted: false, values: { lastname: 'Orphan' } });
    input.objects[1]!.local = [];
    const audit = judge(input);
    expect(audit.findings.map((f) => f.text)).toEqual(
      expect.arrayContaining([
        'Lead row 3: live local row with no sfid, no outbox entry — never reached Salesforce',
        `Campaign ${CAMPAIGN}: in Salesforce, missing (or deleted) in PostgreSQL`,
        'marketing insert Campaign Name = "Mk campaign 1": 1 in Salesforce, 0 local',
      ]),
    );
  });

  it('reports a campaign pushed twice, a duplicated natural key and two local rows for one record', () => {
    const input = world();
    input.objects[1]!.remote.push({ Id: '701000000000002AAA', Name: 'Mk campaign 1' });
    input.objects[0]!.remote.push({
      Id: eighteen('00Q000000000003'),
      LastName: 'Ada',
      Email: 'ADA@example.test',
      IsConverted: false,
    });
    input.objects[0]!.local.push({ rowId: '9', sfid: LEAD.slice(0, 15), isdeleted: false, values: {} });
    const found = kinds(input);
    expect(found.filter((k) => k === 'duplicate Campaign')).toHaveLength(1);
    expect(found.filter((k) => k === 'duplicate Lead')).toHaveLength(2);
    expect(judge(input).byObject.Campaign!.duplicates).toBe(1);
  });

  it('reports an open error nothing explains, and a provoked refusal with no open error', () => {
    const input = world();
    input.openErrors.push({ object: 'Campaign', rowId: '7', code: 'UNKNOWN_EXCEPTION', message: 'boom' });
    input.refusals.push({ object: 'Lead', rowId: '1', why: 'too long' });
    const audit = judge(input);
    expect(audit.findings.map((f) => f.kind).sort()).toEqual(['missing-error', 'unexplained-error']);
    expect(audit.byObject.Campaign!.errorsUnexplained).toBe(1);
  });

  it('reports pending outbox entries, deletions that did not happen and datetimes an hour apart', () => {
    const input = world();
    input.outbox.push({ object: 'Campaign', rowId: '7', status: 'pending' });
    input.deletions.push({ side: 'marketing', object: 'Campaign', sfid: CAMPAIGN });
    input.refusals = [];
    input.openErrors = [];
    input.outbox = input.outbox.filter((o) => o.status === 'pending');
    input.objects[0]!.remote[1]!.LastModifiedDate = '2026-12-01T23:00:00.000+0000';
    const texts = judge(input).findings.map((f) => f.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Campaign row 7: outbox entry still pending after the run settled',
        `marketing delete Campaign ${CAMPAIGN}: still in Salesforce`,
        `marketing delete Campaign ${CAMPAIGN}: still live in PostgreSQL`,
        expect.stringMatching(/LastModifiedDate: .*instant differs/),
      ]),
    );
  });
});

describe('the judge’s own value rules', () => {
  it('compares decimals exactly, whatever their spelling', () => {
    expect(canonicalDecimal('0012.3400')).toBe('12.34');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('1.5e3')).toBe('1500');
    expect(canonicalDecimal('1e-3')).toBe('0.001');
    expect(differs('currency', '123456789012345678', '123456789012345678')).toBeNull();
    expect(differs('currency', '123456789012345678', '123456789012345679')).not.toBeNull();
    expect(differs('double', '0.1', 0.1)).toBeNull();
  });

  it('treats dates, datetimes, booleans, picklists and ids by their Salesforce type', () => {
    expect(differs('date', '1700-01-01', '1700-01-01')).toBeNull();
    expect(differs('date', '1700-01-02', '1700-01-01')).not.toBeNull();
    expect(differs('datetime', '4000-12-31 23:59:59+00', '4000-12-31T23:59:59.000+0000')).toBeNull();
    expect(differs('datetime', '1700-01-01 00:00:00+00', '1700-01-01T00:00:00.000Z')).toBeNull();
    expect(differs('boolean', null, false)).not.toBeNull();
    expect(differs('boolean', 'f', false)).toBeNull();
    expect(differs('picklist', 'Hot', 'hot')).not.toBeNull();
    expect(differs('reference', LEAD.slice(0, 15), LEAD)).toBeNull();
    expect(eighteen('001000000000001')).toBe('001000000000001AAA');
    expect(LEAD).toBe('00Q000000000001EAA');
  });
});
