/**
 * getDeleted: ids of records deleted in a window, including those already purged from the recycle bin,
 * which queryAll no longer returns (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-getdeleted.html).
 */
import type { SalesforceClient } from './connection';
import { soqlObjectName } from './soql';

/** The reply of `GET /sobjects/T/deleted`. */
export interface DeletedResult {
  deletedRecords: { id: string; deletedDate: string }[];
  earliestDateAvailable: string;
  latestDateCovered: string;
}

// jsforce's format, `YYYY-MM-DDTHH:mm:ss+00:00`; the server truncates seconds itself (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-getdeleted.html).
function replicationDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** Calls getDeleted for `object` between `start` and `end` (one API call). */
export function getDeleted(client: SalesforceClient, object: string, start: Date, end: Date): Promise<DeletedResult> {
  const query = `start=${encodeURIComponent(replicationDate(start))}&end=${encodeURIComponent(replicationDate(end))}`;
  return client.request<DeletedResult>({ method: 'GET', url: `/sobjects/${soqlObjectName(object)}/deleted?${query}` });
}
