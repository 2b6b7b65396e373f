/**
 * Lead — two-way (push with the two-way issue; on conflict the marketing database wins, as in Marketo).
 * Pull: queryAll on SystemModstamp. Conversion sets IsConverted, ConvertedDate and Converted{Account,
 * Contact,Opportunity}Id and bumps the stamp, so the converted lead is kept with its links to what it
 * became; merge losers arrive deleted with MasterRecordId. OwnerId may be a User or a queue (Group):
 * only the id is kept. Depends on User and Group (owners); conversion targets sync after it.
 */
import type { ObjectDefinition } from './types';

export const lead: ObjectDefinition = {
  name: 'Lead',
  direction: 'two-way',
  dependsOn: ['User', 'Group'],
  bulkQuery: true,
  requiredFields: ['IsDeleted', 'MasterRecordId', 'IsConverted', 'ConvertedAccountId', 'ConvertedContactId', 'ConvertedOpportunityId'],
};
