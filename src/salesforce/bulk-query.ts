/**
 * Bulk API 2.0 query jobs, paged by Tandem itself. jsforce's `bulk2.query()` throws
 * ERR_STREAM_WRITE_AFTER_END on results of more than one page (jsforce#1546, #1693), so jobs are
 * created and polled with plain requests and each result page is fetched with
 * `locator` and `maxRecords` and handed to the caller as a stream — one page in memory at most.
 */
import type { SalesforceClient } from './connection';

/** Thrown when a query job ends Failed or Aborted, or does not finish in time; names the job and object. */
export class BulkJobError extends Error {
  override readonly name = 'BulkJobError';
  constructor(
    message: string,
    /** Salesforce's job state, or `Timeout`. */
    readonly state: string,
  ) {
    super(message);
  }
}

/** Job states (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm). */
export type QueryJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** What `GET /jobs/query/{id}` reports. */
export interface QueryJobInfo {
  id: string;
  state: QueryJobState;
  object?: string;
  numberRecordsProcessed?: number;
  errorMessage?: string;
}

/** One result page: its CSV body (header row included), the next locator (null after the last page), and its row count. */
export interface ResultPage {
  body: ReadableStream<Uint8Array>;
  nextLocator: string | null;
  numberOfRecords: number | null;
}

/** Creates a query job (`query`, or `queryAll` to include deleted rows) and returns its id. */
export async function createQueryJob(
  client: SalesforceClient,
  soql: string,
  operation: 'query' | 'queryAll' = 'query',
): Promise<string> {
  const info = await client.request<QueryJobInfo>({
    method: 'POST',
    url: '/jobs/query',
    body: JSON.stringify({ operation, query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' }),
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  if (!info?.id) throw new BulkJobError('Bulk API 2.0 returned no job id', 'Unknown');
  return info.id;
}

/** Reads a query job's state. */
export function getQueryJob(client: SalesforceClient, jobId: string): Promise<QueryJobInfo> {
  return client.request<QueryJobInfo>({ method: 'GET', url: `/jobs/query/${encodeURIComponent(jobId)}` });
}

/** Options of `waitForQueryJob`. */
export interface WaitOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  /** Called after every poll (activities heartbeat here). */
  onPoll?: (info: QueryJobInfo) => void;
  sleep?: (ms: number) => Promise<void>;
  /**
   * True for a poll failure worth polling again (the caller's classification): a wait of many polls
   * would otherwise need every one to succeed, which under a high fault rate almost never happens.
   */
  pollAgainAfter?: (error: unknown) => boolean;
}

/** Polls until the job is JobComplete; throws BulkJobError when it fails, is aborted or times out. */
export async function waitForQueryJob(
  client: SalesforceClient,
  jobId: string,
  options: WaitOptions,
): Promise<QueryJobInfo> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let info: QueryJobInfo;
    try {
      info = await getQueryJob(client, jobId);
    } catch (error) {
      if (!options.pollAgainAfter?.(error) || Date.now() >= deadline) throw error;
      await sleep(options.pollIntervalMs);
      continue;
    }
    options.onPoll?.(info);
    if (info.state === 'JobComplete') return info;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new BulkJobError(
        `Bulk query job ${jobId} on ${info.object ?? '?'} ended ${info.state}: ${info.errorMessage ?? 'no message'}`,
        info.state,
      );
    }
    if (Date.now() >= deadline)
      throw new BulkJobError(`Bulk query job ${jobId} did not complete within ${options.timeoutMs} ms`, 'Timeout');
    await sleep(options.pollIntervalMs);
  }
}

/**
 * Fetches one result page. `Sforce-Locator` is the string `null` on the last page; a missing header is
 * treated the same way instead of looping forever as jsforce would
 * (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm).
 */
export async function fetchResultPage(
  client: SalesforceClient,
  jobId: string,
  locator: string | null,
  maxRecords: number,
): Promise<ResultPage> {
  const params = new URLSearchParams({ maxRecords: String(maxRecords) });
  if (locator) params.set('locator', locator);
  const response = await client.fetchRaw(`/jobs/query/${encodeURIComponent(jobId)}/results?${params.toString()}`, {
    Accept: 'text/csv',
  });
  const next = response.headers.get('sforce-locator');
  const count = response.headers.get('sforce-numberofrecords');
  if (!response.body) throw new BulkJobError(`Bulk query job ${jobId}: result page has no body`, 'JobComplete');
  return {
    body: response.body,
    nextLocator: next && next !== 'null' ? next : null,
    numberOfRecords: count === null ? null : Number(count),
  };
}

/** Deletes a finished job so its results stop counting against storage (best effort: failures are ignored). */
export async function deleteQueryJob(client: SalesforceClient, jobId: string): Promise<void> {
  try {
    await client.request({ method: 'DELETE', url: `/jobs/query/${encodeURIComponent(jobId)}` });
  } catch {
    // Jobs are purged after 7 days anyway (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-bulkapi.html).
  }
}
