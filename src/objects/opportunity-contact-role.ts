/**
 * OpportunityContactRole — from Salesforce only: the link between opportunities and people (Role,
 * IsPrimary). Pull: queryAll on SystemModstamp with IsDeleted and getDeleted; deleted with either parent.
 * Depends on Opportunity and Contact.
 */
import type { ObjectDefinition } from './types';

export const opportunityContactRole: ObjectDefinition = {
  name: 'OpportunityContactRole',
  direction: 'from-salesforce',
  dependsOn: ['Opportunity', 'Contact'],
  bulkQuery: true,
  requiredFields: ['IsDeleted', 'OpportunityId', 'ContactId'],
};
