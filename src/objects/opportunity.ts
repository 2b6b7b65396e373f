/**
 * Opportunity — from Salesforce only (Marketo links opportunities to people only through contact roles).
 * Pull: queryAll on SystemModstamp with IsDeleted and getDeleted; an account delete cascades here.
 * A lead conversion may create one, referenced by the lead's ConvertedOpportunityId. Depends on Account.
 */
import type { ObjectDefinition } from './types';

export const opportunity: ObjectDefinition = {
  name: 'Opportunity',
  direction: 'from-salesforce',
  dependsOn: ['Account', 'User'],
  bulkQuery: true,
  requiredFields: ['IsDeleted'],
};
