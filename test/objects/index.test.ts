import { describe, expect, it } from 'vitest';
import { objectDefinition, STANDARD_OBJECTS, syncedObjects, UnknownObjectError } from '../../src/objects';
import { syncObjectsFor } from '../../src/shared';

describe('synced objects', () => {
  it('lists the standard objects in the documented order', () => {
    expect(STANDARD_OBJECTS.map((o) => o.name)).toEqual([
      'User',
      'Group',
      'Account',
      'Contact',
      'Lead',
      'Campaign',
      'CampaignMember',
      'CampaignMemberStatus',
      'Opportunity',
      'OpportunityContactRole',
      'Task',
      'Event',
    ]);
  });

  it('syncs every object after the objects it depends on', () => {
    const objects = syncedObjects(['Subscription__c']);
    objects.forEach((object, index) => {
      for (const dependency of object.dependsOn) {
        const at = objects.findIndex((o) => o.name === dependency);
        expect(at, `${object.name} depends on ${dependency}`).toBeGreaterThanOrEqual(0);
        expect(at, `${object.name} must come after ${dependency}`).toBeLessThan(index);
      }
    });
  });

  it('gives the workflow each object with its documented direction, custom objects last and from Salesforce', () => {
    // The README's promise: people and campaigns both ways, everything else from Salesforce only.
    const twoWay = new Set(['Lead', 'Contact', 'Campaign', 'CampaignMember']);
    const expected = [...STANDARD_OBJECTS.map((o) => o.name), 'Subscription__c'].map((name) => ({
      name,
      direction: twoWay.has(name) ? 'two-way' : 'from-salesforce',
    }));
    expect(syncObjectsFor(['Subscription__c'])).toEqual(expected);
  });

  it('appends custom objects once and refuses unknown names', () => {
    expect(
      syncedObjects(['Subscription__c', 'Subscription__c', 'Lead'])
        .map((o) => o.name)
        .at(-1),
    ).toBe('Subscription__c');
    expect(syncedObjects(['Subscription__c']).length).toBe(STANDARD_OBJECTS.length + 1);
    expect(() => objectDefinition(syncedObjects(), 'Leads')).toThrow(UnknownObjectError);
  });
});
