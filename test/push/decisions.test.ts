// Unit tests of the push's pure decisions (src/push/*-rules.ts, decide-row.ts, transport.ts, plan.ts):
// no database, no Salesforce.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config';
import type { OutboxEntry } from '../../src/db/outbox';
import { campaignMember } from '../../src/objects/campaign-member';
import { contact } from '../../src/objects/contact';
import { lead } from '../../src/objects/lead';
import { objectOfId, STANDARD_OBJECTS } from '../../src/objects';
import { decideRow } from '../../src/push/decide-row';
import { insertKeyConditions, pickUnclaimed } from '../../src/push/find-existing';
import { pushPlan } from '../../src/push/plan';
import { redirectTarget, valuesForTarget, writableInTarget } from '../../src/push/redirect-rules';
import { failureOutcome, resultOutcome, shadowAfterSend } from '../../src/push/result-rules';
import { bulkTable, outgoingRecord, usesBulkIngest } from '../../src/push/transport';
import type { RowWork } from '../../src/push/types';
import type { ColumnSpec } from '../../src/sync/type-mapping';

const col = (field: string, kind: ColumnSpec['kind'] = 'text', access: Partial<ColumnSpec> = {}): ColumnSpec =>
  ({
    field,
    column: field === 'Id' ? 'sfid' : field.toLowerCase(),
    sqlType: kind === 'boolean' ? 'boolean' : 'text',
    kind,
    ...access,
  }) as ColumnSpec;

const leadColumns = [
  col('Id'),
  col('Email'),
  col('LastName'),
  col('Company'),
  col('Description'),
  col('IsDeleted', 'boolean'),
  col('MasterRecordId'),
  col('IsConverted', 'boolean', { updateable: false, createable: false }),
  col('ConvertedContactId', 'text', { updateable: false, createable: false }),
  col('Tandem_Id__c', 'text', { externalId: true }),
  col('Rating', 'text', { updateable: false }),
];
const memberColumns = [
  col('Id'),
  col('CampaignId', 'text', { updateable: false }),
  col('LeadId', 'text', { updateable: false }),
  col('ContactId', 'text', { updateable: false }),
  col('Status'),
  col('IsDeleted', 'boolean'),
];

const config = (sync: Record<string, unknown> = {}) => configSchema.parse({ sync });
const leadPlan = (sync: Record<string, unknown> = {}) =>
  pushPlan(config(sync), lead, { tableName: 'lead', columns: leadColumns });
const memberPlan = () => pushPlan(config(), campaignMember, { tableName: 'campaignmember', columns: memberColumns });

let nextId = 1;
const entry = (
  operation: OutboxEntry['operation'],
  changed: Record<string, unknown> = {},
  sfid: string | null = null,
): OutboxEntry => ({
  id: nextId++,
  rowId: 7,
  sfid,
  operation,
  changed,
  previous: {},
  capturedAt: new Date(0),
  status: 'pending',
  attempts: 0,
  firstSentAt: null,
  sentBy: null,
});
const work = (send: Record<string, unknown>, sfid: string | null = null): RowWork => ({
  rowId: 1,
  entries: [],
  row: {},
  sfid,
  send,
});

describe('the push plan', () => {
  it('pushes on insert the createable columns and on update the updateable ones, never the never-push ones', () => {
    const plan = leadPlan({ conflictRules: { Lead: { fields: { Description: 'never-push' } } } });
    expect(plan.createable.has('rating')).toBe(true);
    expect(plan.updateable.has('rating')).toBe(false);
    expect(plan.createable.has('isconverted')).toBe(false);
    expect([...plan.neverPush]).toEqual(['description']);
    expect(plan.externalId?.field).toBe('Tandem_Id__c');
  });

  it('takes the object rules from its definition and the config', () => {
    expect(leadPlan().linkByEmail.map((t) => t.object)).toEqual(['Lead', 'Contact']);
    expect(leadPlan({ dedupeLeadsByEmail: false }).linkByEmail).toEqual([]);
    expect(leadPlan().redirects.map((r) => r.target)).toEqual(['convertedcontactid']);
    expect(leadPlan().pushDeletes).toBe(false);
    expect(
      pushPlan(config({ pushDeletes: { Lead: true } }), lead, { tableName: 'lead', columns: leadColumns }).pushDeletes,
    ).toBe(true);
    expect(memberPlan().pushDeletes).toBe(true);
    expect(memberPlan().allowedValues?.field).toBe('Status');
    expect(memberPlan().linkByEmail).toEqual([]);
    // Natural-key fields the table does not have are left out of the lookup.
    expect(pushPlan(config(), contact, { tableName: 'contact', columns: [col('Id'), col('Email')] }).insertKey).toEqual(
      ['Email'],
    );
  });
});

describe('one row of the outbox, collapsed', () => {
  const plan = leadPlan({ conflictRules: { Lead: { fields: { Description: 'never-push' } } } });

  it('sends an update with the union of changed updateable columns at their current values', () => {
    const row = {
      sfid: '00Q000000000001AAA',
      email: 'new@x.org',
      lastname: 'Lee',
      rating: 'Hot',
      description: 'local',
      isdeleted: false,
    };
    const decision = decideRow(
      plan,
      [entry('update', { email: 'a' }), entry('update', { lastname: 'b', rating: 'c', description: 'd' })],
      row,
    );
    expect(decision.action).toEqual({ kind: 'update', sfid: row.sfid, send: { email: 'new@x.org', lastname: 'Lee' } });
    expect(decision.dropNeverPush).toEqual(['description']);
  });

  it('closes an update with nothing left to send', () => {
    const decision = decideRow(plan, [entry('update', { rating: 'x' })], { sfid: '00Q000000000001AAA', rating: 'x' });
    expect(decision.action).toMatchObject({ kind: 'close', status: 'superseded', note: 'nothing left to send' });
  });

  it('inserts a row without sfid with its createable, non-blank columns', () => {
    const decision = decideRow(plan, [entry('insert', { email: 'a@x.org' })], {
      sfid: null,
      email: 'a@x.org',
      lastname: 'Lee',
      company: null,
      description: 'local',
      rating: 'Hot',
    });
    expect(decision.action).toEqual({ kind: 'insert', send: { email: 'a@x.org', lastname: 'Lee', rating: 'Hot' } });
  });

  it('deletes in Salesforce only where deletes are pushed, and drops deletes of rows never sent', () => {
    const sfid = '00Q000000000001AAA';
    expect(
      decideRow(plan, [entry('update', { email: 'x' }), entry('delete', {}, sfid)], undefined).action,
    ).toMatchObject({ kind: 'close', status: 'skipped', deleteNotPropagated: true });
    const pushing = leadPlan({ pushDeletes: { Lead: true } });
    expect(decideRow(pushing, [entry('delete', {}, sfid)], undefined).action).toEqual({ kind: 'delete', sfid });
    expect(decideRow(pushing, [entry('insert'), entry('delete')], undefined).action).toMatchObject({
      kind: 'close',
      status: 'superseded',
      note: 'deleted before it reached Salesforce',
    });
  });

  it('reports a change to a record deleted in Salesforce, and leaves redirected rows pending', () => {
    expect(
      decideRow(plan, [entry('update', { email: 'x' })], { sfid: '00Q000000000001AAA', isdeleted: true }).action,
    ).toEqual({ kind: 'gone', sfid: '00Q000000000001AAA' });
    const converted = {
      sfid: '00Q000000000001AAA',
      isconverted: true,
      convertedcontactid: '003000000000001AAA',
      email: 'x',
    };
    expect(decideRow(plan, [entry('update', { email: 'x' })], converted).action).toEqual({ kind: 'wait' });
  });
});

describe('redirects', () => {
  const plan = leadPlan();

  it('sends a linked row to its match, a converted lead to its contact and a merge loser to its master (blanks only)', () => {
    expect(
      redirectTarget(plan, { _tandem_linked_to: '003A', isconverted: true, convertedcontactid: '003B' }),
    ).toMatchObject({ sfid: '003A', mode: 'overwrite' });
    expect(redirectTarget(plan, { isconverted: true, convertedcontactid: '003B' })).toEqual({
      sfid: '003B',
      why: 'the lead was converted',
      mode: 'overwrite',
    });
    expect(redirectTarget(plan, { isconverted: false, convertedcontactid: '003B' })).toBeNull();
    expect(redirectTarget(plan, { isdeleted: true, masterrecordid: '00QM' })).toMatchObject({
      sfid: '00QM',
      mode: 'fill-blanks',
    });
    expect(redirectTarget(memberPlan(), { isconverted: true, convertedcontactid: '003B' })).toBeNull();
  });

  it('writes only what differs (overwrite) or what is blank in the target (fill-blanks)', () => {
    const kinds = new Map<string, ColumnSpec['kind']>([
      ['email', 'text'],
      ['lastname', 'text'],
      ['numberofemployees', 'integer'],
    ]);
    const source = { email: 'a@x.org', lastname: 'Lee', numberofemployees: 5 };
    const target = { email: 'a@x.org', lastname: null, numberofemployees: '5.0' };
    expect(
      valuesForTarget(
        'overwrite',
        source,
        { ...target, lastname: 'Old' },
        ['email', 'lastname', 'numberofemployees'],
        kinds,
      ),
    ).toEqual({ lastname: 'Lee' });
    expect(valuesForTarget('fill-blanks', source, target, ['email', 'lastname'], kinds)).toEqual({ lastname: 'Lee' });
  });

  it('writes into the target only its tracked, updateable columns', () => {
    expect(
      writableInTarget(['email', 'rating', 'secret'], {
        tracked: ['email', 'rating'],
        notUpdateable: [['rating', 'no']],
      }),
    ).toEqual(['email']);
  });
});

describe('per-record results', () => {
  const error = (statusCode: string, more: Record<string, unknown> = {}) => ({
    success: false,
    id: null,
    errors: [{ statusCode, message: statusCode, fields: [], ...more }],
  });

  it('counts a delete of a record already gone as done', () => {
    expect(resultOutcome(leadPlan(), 'delete', error('ENTITY_IS_DELETED'), '00QA')).toEqual({
      kind: 'ok',
      result: { success: true, id: '00QA', errors: [] },
    });
    expect(resultOutcome(leadPlan(), 'update', error('ENTITY_IS_DELETED'), '00QA').kind).toBe('failed');
  });

  it('adopts the match of a duplicate rule only for objects that link by email', () => {
    const duplicate = error('DUPLICATES_DETECTED', { duplicateIds: ['00QDUP'] });
    expect(resultOutcome(leadPlan(), 'insert', duplicate, null)).toMatchObject({ kind: 'adopt', id: '00QDUP' });
    expect(resultOutcome(leadPlan({ dedupeLeadsByEmail: false }), 'insert', duplicate, null).kind).toBe('failed');
  });

  it('looks up an existing member on DUPLICATE_VALUE and explains a refused member status', () => {
    expect(resultOutcome(memberPlan(), 'insert', error('DUPLICATE_VALUE'), null).kind).toBe('find-existing');
    expect(resultOutcome(leadPlan(), 'insert', error('DUPLICATE_VALUE'), null).kind).toBe('failed');
    const refused = error('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', { fields: ['Status'] });
    expect(resultOutcome(memberPlan(), 'update', refused, '00vA').kind).toBe('not-allowed');
    expect(resultOutcome(leadPlan(), 'update', refused, '00QA').kind).toBe('failed');
  });

  it('retries transient failures and a missing result, fails permanent ones', () => {
    expect(failureOutcome(leadPlan(), { statusCode: 'UNABLE_TO_LOCK_ROW', message: '', fields: [] }).kind).toBe(
      'retry',
    );
    expect(failureOutcome(leadPlan(), { statusCode: 'REQUIRED_FIELD_MISSING', message: '', fields: [] }).kind).toBe(
      'failed',
    );
    expect(resultOutcome(leadPlan(), 'update', undefined, '00QA')).toMatchObject({
      error: { statusCode: 'UNKNOWN_EXCEPTION', message: 'no result returned for this record' },
    });
  });

  it('moves the shadow of columns changed again to the value just sent', () => {
    expect(shadowAfterSend(['email', 'lastname', 'phone'], { email: 'sent@x.org' }, { lastname: 'Base' })).toEqual({
      email: 'sent@x.org',
      lastname: 'Base',
      phone: null,
    });
  });
});

describe('transport', () => {
  it('uses Bulk ingest above the threshold, for inserts only with the external id', () => {
    expect(usesBulkIngest(2001, 'update', 2000, false)).toBe(true);
    expect(usesBulkIngest(2000, 'update', 2000, true)).toBe(false);
    expect(usesBulkIngest(5000, 'insert', 2000, false)).toBe(false);
    expect(usesBulkIngest(5000, 'insert', 2000, true)).toBe(true);
  });

  it('builds records by field name and Bulk tables keyed by the external id or Id', () => {
    const plan = leadPlan();
    expect(outgoingRecord(plan, 'update', work({ email: 'a@x.org', lastname: undefined }, '00QA'))).toEqual({
      Id: '00QA',
      Email: 'a@x.org',
      LastName: null,
    });
    const inserts = [work({ tandem_id__c: 'k1', email: 'a@x.org' }), work({ tandem_id__c: 'k2', lastname: 'Lee' })];
    const table = bulkTable(plan, 'insert', inserts);
    expect(table.columns).toEqual(['Tandem_Id__c', 'Email', 'LastName']);
    expect(table.rows).toEqual([
      ['k1', 'a@x.org', undefined],
      ['k2', undefined, 'Lee'],
    ]);
    expect(table.keyOf(inserts[1]!)).toBe('k2');
    expect(bulkTable(plan, 'delete', [work({}, '00QA')])).toMatchObject({ columns: ['Id'], rows: [['00QA']] });
  });

  it('looks a record up by every natural-key field, blanks as null', () => {
    expect(insertKeyConditions(memberPlan(), { campaignid: '701A', leadid: null, contactid: '003A' })).toEqual([
      { field: 'CampaignId', op: '=', value: '701A' },
      { field: 'LeadId', op: '=', value: null },
      { field: 'ContactId', op: '=', value: '003A' },
    ]);
  });
});

describe('key prefixes', () => {
  it('name the two-way objects from their ids', () => {
    expect(objectOfId(STANDARD_OBJECTS, '00Q000000000001AAA')?.name).toBe('Lead');
    expect(objectOfId(STANDARD_OBJECTS, '003000000000001AAA')?.name).toBe('Contact');
    expect(objectOfId(STANDARD_OBJECTS, '701000000000001AAA')?.name).toBe('Campaign');
    expect(objectOfId(STANDARD_OBJECTS, '00v000000000001AAA')?.name).toBe('CampaignMember');
    expect(objectOfId(STANDARD_OBJECTS, '001000000000001AAA')).toBeUndefined();
  });
});

describe('adopting the record of a lost insert', () => {
  it('takes the oldest candidate no other row holds, and none when every candidate is held', () => {
    expect(pickUnclaimed(['a', 'b', 'c'], new Set(['a']))).toBe('b');
    expect(pickUnclaimed(['a', 'b'], new Set(['a', 'b']))).toBeNull();
    expect(pickUnclaimed([], new Set())).toBeNull();
  });
});
