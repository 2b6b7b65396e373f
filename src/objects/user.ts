/**
 * User — from Salesforce only. Owners of leads, contacts, accounts and activities (OwnerId 005…).
 * Change source: queryAll on SystemModstamp. Users cannot be deleted, only deactivated (IsActive), so
 * there is no IsDeleted and no getDeleted; `isdeleted` stays false. No dependencies: synced first.
 */
import type { ObjectDefinition } from './types';

export const user: ObjectDefinition = {
  name: 'User',
  direction: 'from-salesforce',
  dependsOn: [],
  bulkQuery: true,
  requiredFields: ['IsActive'],
};
