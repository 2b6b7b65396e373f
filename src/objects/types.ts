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
}
