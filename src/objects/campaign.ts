/**
 * Campaign — two-way (Marketo programs map 1:1 to campaigns). Pull:
 * queryAll on SystemModstamp with IsDeleted and getDeleted. Deleting a campaign cascades to its members
 * and member statuses. Depends on User (OwnerId).
 */
import type { ObjectDefinition } from './types';

export const campaign: ObjectDefinition = {
  name: 'Campaign',
  direction: 'two-way',
  dependsOn: ['User'],
  bulkQuery: true,
  requiredFields: ['IsDeleted'],
  // Push: Salesforce wins same-field conflicts; deletes stay local unless sync.pushDeletes.Campaign.
  // Campaign has no Tandem external id in a standard org, so a retried insert looks for the campaign
  // the sync user created with the same Name before creating another.
  keyPrefix: '701',
  push: { conflictDefault: 'salesforce-wins', pushDeletes: false, insertKey: ['Name'] },
};
