/**
 * CampaignMember — two-way (membership and status are what marketing changes; push with the two-way
 * issue). Pull: queryAll on SystemModstamp. A member is a Lead or a Contact (LeadId / ContactId); when
 * its lead converts it gains a ContactId and a new stamp. HasResponded is derived by Salesforce from the
 * status. Depends on Campaign, Lead and Contact.
 */
import type { ObjectDefinition } from './types';

export const campaignMember: ObjectDefinition = {
  name: 'CampaignMember',
  direction: 'two-way',
  dependsOn: ['Campaign', 'Lead', 'Contact'],
  bulkQuery: true,
  requiredFields: ['IsDeleted', 'CampaignId'],
  // Push: adding, removing (deletes always propagate: a membership change) and re-statusing members.
  // A status that is not one of the campaign's CampaignMemberStatus labels becomes a sync error saying
  // so. A person is a member of a campaign at most once, so (CampaignId, LeadId, ContactId) is the key
  // a retried insert looks up. Salesforce wins same-field conflicts.
  push: { conflictDefault: 'salesforce-wins', pushDeletes: true, insertKey: ['CampaignId', 'LeadId', 'ContactId'] },
};
