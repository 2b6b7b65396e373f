/**
 * What Tandem knows about one synced Salesforce object beyond its describe: direction, the objects it
 * references (sync order), whether Bulk API 2.0 can query it, and the fields its sync cannot do without.
 */

/** Which way an object's data flows. */
export type Direction = 'two-way' | 'from-salesforce';

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
  /**
   * The key prefix of the object's record ids (their first three characters), for objects Tandem must
   * recognise from an id alone (describe's `keyPrefix`,
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm).
   */
  keyPrefix?: string;
  /** Push-side rules of a two-way object (src/push/); absent for objects synced from Salesforce only. */
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
  /**
   * True when rows of this object take the edits of rows that now stand for one of its records (a
   * converted lead's contact, a merge master, the match of a row linked by email).
   */
  receivesRedirects?: boolean;
  /** States in which a row's marketing edits belong to another record, whose id the row holds. */
  redirects?: readonly RedirectRule[];
  /**
   * New rows are linked to a visible record of these objects with the same email instead of being
   * created, when `sync.dedupeLeadsByEmail` is on; a Salesforce duplicate rule's match is adopted too.
   */
  linkByEmail?: readonly EmailLinkTarget[];
  /** A field whose allowed values are records of another object, checked locally before sending. */
  allowedValues?: AllowedValuesRule;
  /** When set, an insert refused with DUPLICATE_VALUE means the record already exists: it is looked up by `insertKey` and adopted. */
  adoptOnDuplicateValue?: DuplicateValueRule;
}

/** How an insert refused with DUPLICATE_VALUE adopts the record that already exists. */
export interface DuplicateValueRule {
  /** The outbox note of the adopted row. */
  note(existingId: string): string;
}

/** When `flag` is true and `target` holds an id, the row's edits are applied to that record's row. */
export interface RedirectRule {
  /** Boolean column saying the row now stands for another record. */
  flag: string;
  /** Column holding that record's id. */
  target: string;
  /** Why, for the outbox note (`the lead was converted`). */
  why: string;
}

/** One object searched for an email match, and how the new row's values reach the match. */
export interface EmailLinkTarget {
  object: string;
  /** `overwrite`: the new row's values win; `fill-blanks`: they only fill the match's empty fields. */
  values: 'overwrite' | 'fill-blanks';
}

/**
 * A restricted picklist whose values are defined per parent record in another object (a campaign's
 * member statuses): a value the parent does not have becomes a sync error saying so, before the call or
 * when Salesforce refuses it with `refusedWith`.
 */
export interface AllowedValuesRule {
  /** The checked column and its field. */
  column: string;
  field: string;
  /** Column of the row holding the parent record's id. */
  parentColumn: string;
  /** Where the allowed values live: one row per value, by parent. */
  source: { object: string; parentColumn: string; valueColumn: string; orderColumn: string };
  /** Salesforce's status code when it refuses the value itself. */
  refusedWith: string;
  /** The sync error's code. */
  code: string;
  /** The sync error's message. */
  message(value: string, parent: string, allowed: readonly string[]): string;
}
