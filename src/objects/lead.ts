/**
 * Lead — two-way (on conflict the marketing database wins, as in Marketo).
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
  requiredFields: [
    'IsDeleted',
    'MasterRecordId',
    'IsConverted',
    'ConvertedAccountId',
    'ConvertedContactId',
    'ConvertedOpportunityId',
  ],
  // Push: marketing wins same-field conflicts (Marketo). A converted lead is read-only in Salesforce,
  // so later marketing edits of its row go to the contact it became; a new lead whose email matches a
  // visible lead or contact is linked to it instead of created (sync.dedupeLeadsByEmail). Deletes stay
  // local unless sync.pushDeletes.Lead. Inserts upsert by the external-id field (Tandem_Id__c).
  keyPrefix: '00Q',
  push: {
    conflictDefault: 'marketing-wins',
    pushDeletes: false,
    insertKey: ['Email', 'LastName', 'Company'],
    receivesRedirects: true,
    redirects: [{ flag: 'isconverted', target: 'convertedcontactid', why: 'the lead was converted' }],
    // Into a lead the marketing values win (Lead's rule); into a contact they only fill blanks (Contact's).
    linkByEmail: [
      { object: 'Lead', values: 'overwrite' },
      { object: 'Contact', values: 'fill-blanks' },
    ],
  },
};
