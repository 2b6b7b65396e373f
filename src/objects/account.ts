/**
 * Account — from Salesforce only (Marketo denormalises it onto people; a local edit would be overwritten).
 * Change source: queryAll on SystemModstamp; soft deletes arrive as IsDeleted rows and purged ones via
 * getDeleted. Merges: losers come back deleted with MasterRecordId = the winner and are kept, so local
 * references to a loser can be followed to the winner. Deleting an account cascades to its contacts and
 * opportunities, which arrive as their own deletes. Depends on User (OwnerId).
 */
import type { ObjectDefinition } from './types';

export const account: ObjectDefinition = {
  name: 'Account',
  direction: 'from-salesforce',
  dependsOn: ['User'],
  bulkQuery: true,
  requiredFields: ['IsDeleted', 'MasterRecordId'],
};
