/**
 * REST query paging. `conn.query` returns only the first page and autoFetch stops at 10,000 rows
 * (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html; jsforce's `maxFetch`,
 * https://github.com/jsforce/jsforce/blob/master/src/query.ts), so Tandem follows `nextRecordsUrl` itself, one page at a time,
 * letting the caller write each page before the next is fetched (constant memory).
 */
import type { SalesforceClient } from './connection';

/** One page of query results. */
export interface QueryPage<R = Record<string, unknown>> {
  records: R[];
  totalSize: number;
  done: boolean;
}

interface QueryResponse<R> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: R[];
}

/** Options of a paged query. */
export interface QueryOptions {
  /** queryAll: include soft-deleted rows, merge losers and archived activities (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_queryall.htm). */
  scanAll?: boolean;
  /** Advisory page size, 200–2000 (`Sforce-Query-Options: batchSize`). */
  batchSize?: number;
}

// Salesforce accepts batchSize 200..2000 (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm).
const MIN_BATCH = 200;
const MAX_BATCH = 2000;

/** Runs a SOQL query and yields its pages in order, following `nextRecordsUrl` until `done`. */
export async function* queryPages<R = Record<string, unknown>>(
  client: SalesforceClient,
  soql: string,
  options: QueryOptions = {},
): AsyncGenerator<QueryPage<R>> {
  const headers: Record<string, string> = {};
  if (options.batchSize !== undefined) {
    const size = Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.floor(options.batchSize)));
    headers['Sforce-Query-Options'] = `batchSize=${size}`;
  }
  let url: string | undefined = `/${options.scanAll ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
  while (url) {
    const page: QueryResponse<R> = await client.request<QueryResponse<R>>({ method: 'GET', url, headers });
    yield { records: page.records, totalSize: page.totalSize, done: page.done };
    url = page.done ? undefined : page.nextRecordsUrl;
  }
}

/** Runs `SELECT COUNT() …` and returns the count (one API call). */
export async function queryCount(client: SalesforceClient, soql: string): Promise<number> {
  const result = await client.request<QueryResponse<never>>({
    method: 'GET',
    url: `/query?q=${encodeURIComponent(soql)}`,
  });
  return result.totalSize;
}
