import { describe, expect, it } from 'vitest';
import { captureSpec } from '../../src/sync/capture-spec';
import type { ColumnSpec } from '../../src/sync/type-mapping';

const col = (field: string, access: Partial<ColumnSpec> = {}): ColumnSpec =>
  ({ field, column: field === 'Id' ? 'sfid' : field.toLowerCase(), sqlType: 'text', kind: 'text', ...access }) as ColumnSpec;

describe('the capture spec', () => {
  it('tracks what the sync user may set, and refuses system, read-only and vanished fields with the reason', () => {
    const spec = captureSpec('Lead', [col('Id'), col('Email'), col('SystemModstamp'), col('Rating', { updateable: false }), col('Score__c', { createable: false, updateable: false })], [{ column: 'old__c', field: 'Old__c' }]);
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
