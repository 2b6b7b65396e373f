/**
 * Group — from Salesforce only. Queues are Groups of Type 'Queue', and a Lead, Task or custom record
 * may be owned by one (OwnerId 00G…), so owners resolve only with Groups synced too. Groups have no
 * IsDeleted; deletion is not replicated by getDeleted for setup objects — a resync retires vanished ones.
 */
import type { ObjectDefinition } from './types';

export const group: ObjectDefinition = {
  name: 'Group',
  direction: 'from-salesforce',
  dependsOn: [],
  bulkQuery: true,
  requiredFields: ['Type'],
};
