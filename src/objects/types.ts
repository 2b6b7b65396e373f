/**
 * What Tandem knows about one synced Salesforce object beyond its describe: direction, the objects it
 * references (sync order), whether Bulk API 2.0 can query it, and the fields its sync cannot do without.
 */
import type { Direction } from '../shared';

/** One synced object's sync rules; each lives in its own file in src/objects. */
export interface ObjectDefinition {
  /** Salesforce API name. */
  name: string;
  direction: Direction;
  /** Objects referenced by this one, synced earlier in a cycle so lookups resolve locally. */
  dependsOn: readonly string[];
  /** False for objects Bulk API 2.0 cannot query; their copy always pages through REST. */
  bulkQuery: boolean;
  /**
   * Fields that must be visible to the sync user: without them deletes, merges or conversions would be
   * silently lost (Marketo fails the same way, "required field missing"). Id and SystemModstamp always are.
   */
  requiredFields: readonly string[];
  /** Push-side rules of a two-way object (src/activities/push.ts); absent for objects synced from Salesforce only. */
  push?: PushRules;
}

/** How marketing-side changes of one two-way object reach Salesforce. */
export interface PushRules {
  /** Who wins when the same field changed on both sides (Marketo: Lead marketing, Contact Salesforce). */
  conflictDefault: 'salesforce-wins' | 'marketing-wins';
  /** Whether a marketing-side delete deletes the Salesforce record unless `sync.pushDeletes` says otherwise. */
  pushDeletes: boolean;
  /**
   * Fields identifying a record already created by an insert whose result was lost (a crash between
   * Salesforce's success and the local commit), for objects without the external-id field: a retried
   * insert first looks for a record the sync user created with these values, and adopts it.
   */
  insertKey: readonly string[];
}
