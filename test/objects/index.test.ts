import { describe, expect, it } from 'vitest';
import { objectDefinition, STANDARD_OBJECTS, syncedObjects, UnknownObjectError } from '../../src/objects';
import { syncObjectsFor } from '../../src/shared';

describe('synced objects', () => {
  it('lists the standard objects in the documented order', () => {
    expect(STANDARD_OBJECTS.map((o) => o.name)).toEqual([
      'User', 'Group', 'Account', 'Contact', 'Lead', 'Campaign', 'CampaignMember', 'CampaignMemberStatus',
      'Opportunity', 'OpportunityContactRole', 'Task', 'Event',
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

  it('agrees with the workflow on names and directions', () => {
    const mine = syncedObjects(['Subscription__c']).map((o) => ({ name: o.name, direction: o.direction }));
    const workflows = syncObjectsFor(['Subscription__c']).map((o) => ({ name: o.name, direction: o.direction }));
    expect(new Set(mine.map((o) => JSON.stringify(o)))).toEqual(new Set(workflows.map((o) => JSON.stringify(o))));
  });

  it('appends custom objects once and refuses unknown names', () => {
    expect(syncedObjects(['Subscription__c', 'Subscription__c', 'Lead']).map((o) => o.name).at(-1)).toBe('Subscription__c');
    expect(syncedObjects(['Subscription__c']).length).toBe(STANDARD_OBJECTS.length + 1);
    expect(() => objectDefinition(syncedObjects(), 'Leads')).toThrow(UnknownObjectError);
  });
});
