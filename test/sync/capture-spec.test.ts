import { describe, expect, it } from 'vitest';
import { captureSpec, guardTandemColumns } from '../../src/sync/capture-spec';
import type { ColumnSpec } from '../../src/sync/type-mapping';

const col = (field: string, access: Partial<ColumnSpec> = {}): ColumnSpec =>
  ({
    field,
    column: field === 'Id' ? 'sfid' : field.toLowerCase(),
    sqlType: 'text',
    kind: 'text',
    ...access,
  }) as ColumnSpec;

describe('the capture spec', () => {
  it('tracks what the sync user may set, and refuses system, read-only and vanished fields with the reason', () => {
    const spec = captureSpec(
      'Lead',
      [
        col('Id'),
        col('Email'),
        col('SystemModstamp'),
        col('Rating', { updateable: false }),
        col('Score__c', { createable: false, updateable: false }),
      ],
      [{ column: 'old__c', field: 'Old__c' }],
    );
    expect(spec.tracked).toEqual(['email', 'rating']);
    const notUpdateable = new Map(spec.notUpdateable);
    expect(notUpdateable.get('systemmodstamp')).toBe('Lead.SystemModstamp is maintained by Salesforce');
    expect(notUpdateable.get('rating')).toContain('cannot update Lead.Rating');
    expect(notUpdateable.get('isdeleted')).toContain('DELETE the row');
    expect(new Map(spec.notCreateable).has('rating')).toBe(false);
    expect(new Map(spec.notCreateable).get('score__c')).toContain('not createable');
    expect(new Map(spec.notCreateable).get('old__c')).toContain('no longer visible');
  });
});

describe('Tandem-owned columns in the trigger spec', () => {
  it('refuses the key and bookkeeping on insert (not a defaulted one), id, key and bookkeeping on update, and keeps the key pushed', () => {
    const base = captureSpec('Lead', [col('Id'), col('Email'), col('Tandem_Id__c')]);
    const spec = guardTandemColumns(base, {
      keyColumn: 'tandem_id__c',
      bookkeeping: ['_tandem_error', '_tandem_synced_at'],
      defaulted: ['_tandem_synced_at'],
    });
    expect(spec.tracked).toEqual(['email', 'tandem_id__c']);
    expect(spec.notCreateable.map(([c]) => c)).toEqual(['sfid', 'tandem_id__c', '_tandem_error']);
    expect(spec.notUpdateable.map(([c]) => c)).toEqual([
      'sfid',
      'isdeleted',
      'id',
      'tandem_id__c',
      '_tandem_error',
      '_tandem_synced_at',
    ]);
    expect(new Map(spec.notCreateable).get('tandem_id__c')).toContain('Tandem assigns the insert key');
    expect(base.notCreateable.map(([c]) => c)).toEqual(['sfid']); // the push's own spec is untouched
  });
});
