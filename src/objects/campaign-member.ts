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
};
