/**
 * Event — from Salesforce only, like Task: polymorphic WhoId / WhatId kept as ids, archived events read
 * through queryAll, deletes as IsDeleted rows and getDeleted. Depends on every possible parent.
 */
import type { ObjectDefinition } from './types';

export const event: ObjectDefinition = {
  name: 'Event',
  direction: 'from-salesforce',
  dependsOn: ['Lead', 'Contact', 'Account', 'Opportunity', 'Campaign', 'User', 'Group'],
  bulkQuery: true,
  requiredFields: ['IsDeleted'],
};
