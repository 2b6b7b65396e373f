/**
 * Contact — two-way (on conflict Salesforce wins, as in Marketo). Pull: queryAll on SystemModstamp, soft deletes as IsDeleted rows, purged ones via getDeleted;
 * merge losers keep MasterRecordId. A lead conversion creates or updates a contact, which arrives as an
 * ordinary change; the lead row carries ConvertedContactId. Depends on Account and User.
 */
import type { ObjectDefinition } from './types';

export const contact: ObjectDefinition = {
  name: 'Contact',
  direction: 'two-way',
  dependsOn: ['Account', 'User'],
  bulkQuery: true,
  requiredFields: ['IsDeleted', 'MasterRecordId'],
  // Push: Salesforce wins same-field conflicts (Marketo); receives the edits of leads converted into it
  // and of merge losers; deletes stay local unless sync.pushDeletes.Contact. Inserts upsert by Tandem_Id__c.
  keyPrefix: '003',
  push: {
    conflictDefault: 'salesforce-wins',
    pushDeletes: false,
    insertKey: ['Email', 'LastName'],
    receivesRedirects: true,
  },
};
