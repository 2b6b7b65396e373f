/**
 * Configured custom objects (`Subscription__c`) — from Salesforce only. Same pull as standard objects:
 * queryAll on SystemModstamp, IsDeleted and getDeleted; lookups kept as ids. Synced after every standard
 * object, since they may reference any of them. Bulk-queryable like any custom object.
 */
import type { ObjectDefinition } from './types';

/** The definition of a configured custom object. */
export function customObject(name: string, after: readonly string[]): ObjectDefinition {
  return { name, direction: 'from-salesforce', dependsOn: after, bulkQuery: true, requiredFields: ['IsDeleted'] };
}
