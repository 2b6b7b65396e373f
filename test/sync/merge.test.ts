// The three-way merge and the conflict rules (pure).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConflictRuleError,
  canonical,
  decide,
  fillBlanks,
  mergeRow,
  resolveRules,
  type ConflictRule,
  type MergeColumn,
} from '../../src/sync/merge';

const columns: MergeColumn[] = [
  { column: 'title', field: 'Title', kind: 'text' },
  { column: 'phone', field: 'Phone', kind: 'text' },
  { column: 'score', field: 'Score__c', kind: 'numeric' },
  { column: 'optout', field: 'HasOptedOutOfEmail', kind: 'boolean' },
  { column: 'seen', field: 'Seen__c', kind: 'datetime' },
];
const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');

describe('canonical values', () => {
  it('treats the jsonb and Salesforce text forms of one value as equal', () => {
    expect(canonical('numeric', 5)).toBe(canonical('numeric', '5.0'));
    expect(canonical('boolean', true)).toBe(canonical('boolean', 't'));
    expect(canonical('datetime', '2026-01-01T00:00:00+00:00')).toBe(
      canonical('datetime', '2026-01-01T00:00:00.000+00:00'),
    );
    expect(canonical('datetime', '2026-01-01 00:00:00+00')).toBe(canonical('datetime', '2026-01-01T00:00:00.000Z'));
    expect(canonical('text', '')).toBeNull();
    expect(canonical('text', 'a')).not.toBe(canonical('text', 'A'));
  });
});

describe('mergeRow', () => {
  const base = { title: 'Base', phone: null, score: 10, optout: false, seen: null };

  it('keeps a marketing change Salesforce did not touch, and takes Salesforce changes of other fields', () => {
    const result = mergeRow({
      columns,
      pending: new Map([['phone', t1]]),
      base: { phone: null },
      marketing: { ...base, phone: '555' },
      salesforce: { ...base, title: 'Sales' },
      salesforceChangedAt: t0,
      rule: () => 'salesforce-wins',
    });
    expect(result).toEqual({ keep: { phone: '555' }, resolved: [], base: { phone: null }, conflicts: [] });
  });

  it('resolves a field both sides set to the same value without a conflict', () => {
    const result = mergeRow({
      columns,
      pending: new Map([['score', t1]]),
      base: { score: 10 },
      marketing: { ...base, score: 20 },
      salesforce: { ...base, score: '20.0' },
      salesforceChangedAt: t0,
      rule: () => 'marketing-wins',
    });
    expect(result).toEqual({ keep: {}, resolved: ['score'], base: {}, conflicts: [] });
  });

  it.each<[ConflictRule, unknown, 'salesforce' | 'marketing']>([
    ['salesforce-wins', 'Sales', 'salesforce'],
    ['marketing-wins', 'Sales', 'marketing'],
    ['never-push', 'Sales', 'salesforce'],
    ['salesforce-unless-blank', 'Sales', 'salesforce'],
    ['salesforce-unless-blank', null, 'marketing'],
    ['salesforce-unless-blank', '  ', 'marketing'],
    ['newest-wins', 'Sales', 'marketing'], // marketing at t1, Salesforce at t0
  ])('%s with Salesforce value %j: %s wins', (rule, salesforceValue, winner) => {
    const result = mergeRow({
      columns,
      pending: new Map([['title', t1]]),
      base: { title: 'Base' },
      marketing: { ...base, title: 'Marketing' },
      salesforce: { ...base, title: salesforceValue },
      salesforceChangedAt: t0,
      rule: () => rule,
    });
    expect(result.conflicts).toEqual([
      {
        column: 'title',
        field: 'Title',
        base: 'Base',
        marketing: 'Marketing',
        salesforce: salesforceValue,
        winner,
        rule,
        marketingChangedAt: t1,
        salesforceChangedAt: t0,
      },
    ]);
    if (winner === 'marketing') {
      expect(result.keep).toEqual({ title: 'Marketing' });
      expect(result.base).toEqual({ title: salesforceValue });
      expect(result.resolved).toEqual([]);
    } else {
      expect(result.keep).toEqual({});
      expect(result.resolved).toEqual(['title']);
    }
  });

  it('newest-wins gives ties and unknown times to Salesforce', () => {
    expect(decide('newest-wins', 'x', t1, t1)).toBe('salesforce');
    expect(decide('newest-wins', 'x', t1, null)).toBe('salesforce');
    expect(decide('newest-wins', 'x', t1, t0)).toBe('marketing');
    expect(decide('newest-wins', 'x', t0, t1)).toBe('salesforce');
  });

  it('property: fields not pending always end with the Salesforce value; marketing keeps exactly what it won or Salesforce did not touch', () => {
    const value = fc.oneof(fc.constant(null), fc.constantFrom('a', 'b', 'c'));
    const rules = fc.constantFrom<ConflictRule>(
      'salesforce-wins',
      'marketing-wins',
      'newest-wins',
      'salesforce-unless-blank',
      'never-push',
    );
    const textColumns = columns.filter((c) => c.kind === 'text');
    fc.assert(
      fc.property(
        fc.record({
          b: fc.tuple(value, value),
          m: fc.tuple(value, value),
          s: fc.tuple(value, value),
          pending: fc.tuple(fc.boolean(), fc.boolean()),
          rule: rules,
        }),
        ({ b, m, s, pending, rule }) => {
          const names = textColumns.map((c) => c.column);
          const pend = new Map(names.filter((_, i) => pending[i]).map((c) => [c, t1] as [string, Date]));
          const result = mergeRow({
            columns: textColumns,
            pending: pend,
            base: Object.fromEntries(names.map((c, i) => [c, b[i]])),
            marketing: Object.fromEntries(names.map((c, i) => [c, m[i]])),
            salesforce: Object.fromEntries(names.map((c, i) => [c, s[i]])),
            salesforceChangedAt: t0,
            rule: () => rule,
          });
          names.forEach((c, i) => {
            const final = c in result.keep ? result.keep[c] : s[i];
            if (!pend.has(c)) return expect(c in result.keep).toBe(false);
            const same = canonical('text', m[i]) === canonical('text', s[i]);
            const sfUntouched = canonical('text', s[i]) === canonical('text', b[i]);
            const conflict = result.conflicts.find((x) => x.column === c);
            if (same) expect(result.resolved).toContain(c);
            else if (sfUntouched) expect(final).toBe(m[i]);
            else expect(final).toBe(conflict!.winner === 'marketing' ? m[i] : s[i]);
            expect(result.resolved.includes(c) || c in result.keep).toBe(true);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('resolveRules', () => {
  it('uses the field rule, else the configured default, else the object default; field names are case-insensitive', () => {
    const rule = resolveRules('Lead', 'marketing-wins', { default: 'newest-wins', fields: { title: 'never-push' } }, [
      'Title',
      'Phone',
    ]);
    expect(rule('Title')).toBe('never-push');
    expect(rule('Phone')).toBe('newest-wins');
    expect(resolveRules('Lead', 'marketing-wins', undefined, ['Phone'])('Phone')).toBe('marketing-wins');
  });

  it('refuses a rule for a field the object does not sync, naming it', () => {
    expect(() =>
      resolveRules('Contact', 'salesforce-wins', { fields: { Titel: 'marketing-wins' } }, ['Title']),
    ).toThrow(new ConflictRuleError('sync.conflictRules.Contact.fields.Titel: Contact has no synced field Titel'));
  });
});

describe('fillBlanks', () => {
  it('copies a value only where the master is blank', () => {
    expect(
      fillBlanks({ a: null, b: 'master', c: '' }, { a: 'loser', b: 'loser', c: 'loser', d: 'x' }, ['a', 'b', 'c']),
    ).toEqual({ a: 'loser', c: 'loser' });
  });
});
