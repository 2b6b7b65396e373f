/**
 * CampaignMember — two-way (membership and status are what marketing changes). Pull: queryAll on SystemModstamp. A member is a Lead or a Contact (LeadId / ContactId); when
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
  keyPrefix: '00v',
  push: {
    conflictDefault: 'salesforce-wins',
    pushDeletes: true,
    insertKey: ['CampaignId', 'LeadId', 'ContactId'],
    // Already a member (added in Salesforce, or by a lost first attempt): adopt it; the status follows as an update.
    adoptOnDuplicateValue: {
      note: (existing) => `the person was already a member (${existing}); the status follows as an update`,
    },
    allowedValues: {
      column: 'status',
      field: 'Status',
      parentColumn: 'campaignid',
      source: {
        object: 'CampaignMemberStatus',
        parentColumn: 'campaignid',
        valueColumn: 'label',
        orderColumn: 'sortorder',
      },
      refusedWith: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      code: 'INVALID_CAMPAIGN_MEMBER_STATUS',
      message: (status, campaign, allowed) =>
        `Status "${status}" is not a member status of campaign ${campaign} (its statuses: ${allowed.join(', ')}); add it to the campaign's member statuses in Salesforce, or use one of these`,
    },
  },
};
