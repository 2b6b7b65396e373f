/**
 * A change Salesforce refused because it cannot find the record (NOT_FOUND, ENTITY_IS_DELETED, an
 * invalid cross-reference on the record itself, insufficient access) may be a record the sync user no
 * longer sees rather than a deleted one. Before blaming a delete, the push asks (queryAll by Id: a
 * record in the recycle bin is returned, an invisible one is not) and names the real cause; the row is
 * then marked like the visibility sweep marks it (src/activities/visibility.ts).
 */
import type { RecordError } from '../salesforce/writes';
import type { SalesforceClient } from '../salesforce/connection';
import { queryPages } from '../salesforce/rest-query';
import { buildSelectByIds } from '../salesforce/soql';
import { toEighteen } from '../sync/coerce';
import { idBatches } from '../activities/visibility';

// Per-record codes Salesforce gives for a record the caller cannot reach
// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
const UNREACHABLE = new Set([
  'NOT_FOUND',
  'ENTITY_IS_DELETED',
  'INVALID_CROSS_REFERENCE_KEY',
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
]);

/** True when `error` on an update of a record could mean the record is out of the sync user's sight. Pure. */
export function mayBeNotVisible(error: RecordError): boolean {
  // A field named means a refused value (a lookup to an unknown record, a read-only field), not the record.
  return UNREACHABLE.has(error.statusCode) && error.fields.length === 0;
}

/** Those of `sfids` the sync user cannot see at all (not even in the recycle bin). */
export async function invisibleRecords(
  client: SalesforceClient,
  object: string,
  sfids: readonly string[],
): Promise<Set<string>> {
  const invisible = new Set(sfids);
  for (const batch of idBatches([...invisible])) {
    for await (const page of queryPages(client, buildSelectByIds(object, ['Id'], batch), { scanAll: true })) {
      for (const r of page.records) invisible.delete(toEighteen(String(r.Id)));
    }
  }
  return invisible;
}

/** The sync error of a change to a record deleted in Salesforce. */
export function deletedError(object: string, sfid: string): { code: string; message: string } {
  return {
    code: 'ENTITY_IS_DELETED',
    message: `${object} ${sfid} was deleted in Salesforce; the marketing-side change cannot be applied`,
  };
}

/** The sync error of a change to a record the sync user no longer sees (it may well exist). */
export function notVisibleError(object: string, sfid: string): { code: string; message: string } {
  return {
    code: 'NOT_VISIBLE',
    message: `${object} ${sfid} is no longer visible to the sync user (its owner or sharing changed in Salesforce); the marketing-side change cannot be applied until it is visible again`,
  };
}
