/**
 * Task — from Salesforce only. WhoId (Lead or Contact) and WhatId (Account, Opportunity, Campaign or a
 * custom object) are polymorphic: the id is kept and its type follows from the key prefix. Old tasks are
 * archived and visible only through queryAll, which the pull uses anyway. Depends on every possible parent.
 */
import type { ObjectDefinition } from './types';

export const task: ObjectDefinition = {
  name: 'Task',
  direction: 'from-salesforce',
  dependsOn: ['Lead', 'Contact', 'Account', 'Opportunity', 'Campaign', 'User', 'Group'],
  bulkQuery: true,
  requiredFields: ['IsDeleted'],
};
