/**
 * CampaignMemberStatus — from Salesforce only: each campaign's allowed member statuses (Label,
 * IsDefault, HasResponded, SortOrder), needed to validate statuses before pushing members. A handful of
 * rows per campaign, so its copy always pages through REST rather than paying for a Bulk job (connectors
 * treat such setup-like objects as REST-only; the volume never justifies Bulk). Depends on Campaign.
 */
import type { ObjectDefinition } from './types';

export const campaignMemberStatus: ObjectDefinition = {
  name: 'CampaignMemberStatus',
  direction: 'from-salesforce',
  dependsOn: ['Campaign'],
  bulkQuery: false,
  requiredFields: ['IsDeleted', 'CampaignId'],
};
