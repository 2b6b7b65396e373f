// Bulk 2.0 query jobs: create (the SOQL is checked at once, as Salesforce does), background
// processing (UploadComplete → InProgress → JobComplete, or Failed), result pages by locator,
// abort and delete. Results are fixed when the job runs: later writes do not change them.
import { SalesforceError } from '../errors';
import { parseDialect } from './csv-dialect';
import { invalidJobState, invalidRequest } from './errors';
import { assertCsvContentType, assertKnownKeys, bodyObject, requiredString } from './job-body';
import { isFinal, requestedTransition } from './job-state';
import type { QueryJob, QueryOperation } from './jobs';
import { LAST_PAGE_LOCATOR, decodeLocator, encodeLocator, parseMaxRecords } from './locator';
import type { BulkDeps } from './options';
import { assertBulkQuerySupported } from './query-restrictions';

const CREATE_KEYS = ['query', 'operation', 'contentType', 'columnDelimiter', 'lineEnding'] as const;

/** Creates a query job from a `POST …/jobs/query` body and starts processing it. */
export function createQueryJob(deps: BulkDeps, rawBody: unknown, userId: string, apiVersion: string): QueryJob {
  const body = bodyObject(rawBody);
  assertKnownKeys(body, CREATE_KEYS);
  const query = requiredString(body, 'query');
  const operation = requiredString(body, 'operation');
  if (operation !== 'query' && operation !== 'queryAll') {
    throw invalidRequest(`Invalid operation '${operation}' for a query job: expected query or queryAll`);
  }
  assertCsvContentType(body);
  const dialect = parseDialect(body.columnDelimiter, body.lineEnding);
  assertBulkQuerySupported(query);
  const prepared = deps.backend.prepareQuery(query, userId, apiVersion, operation === 'queryAll');
  const now = deps.backend.now();
  const job: QueryJob = {
    kind: 'query',
    id: deps.backend.newJobId(),
    operation: operation as QueryOperation,
    object: prepared.object,
    query,
    createdById: userId,
    createdDate: now,
    systemModstamp: now,
    state: 'UploadComplete',
    apiVersion,
    dialect,
    numberRecordsProcessed: 0,
    totalProcessingTime: 0,
    errorMessage: null,
    result: null,
  };
  deps.registry.add(job);
  deps.registry.schedule(deps.options.processingDelayMs, () => {
    if (job.state !== 'UploadComplete') return;
    setState(deps, job, 'InProgress');
    deps.registry.schedule(deps.options.processingDelayMs, () => runQuery(deps, job, prepared.run));
  });
  return job;
}

function setState(deps: BulkDeps, job: QueryJob, state: QueryJob['state']): void {
  job.state = state;
  job.systemModstamp = deps.backend.now();
}

function runQuery(deps: BulkDeps, job: QueryJob, run: () => NonNullable<QueryJob['result']>): void {
  if (job.state !== 'InProgress') return;
  const started = Date.now();
  try {
    job.result = run();
    job.numberRecordsProcessed = job.result.size;
    job.totalProcessingTime = Date.now() - started;
    setState(deps, job, 'JobComplete');
  } catch (error) {
    job.errorMessage = error instanceof SalesforceError ? `${error.errorCode}: ${error.message}` : String(error);
    job.totalProcessingTime = Date.now() - started;
    setState(deps, job, 'Failed');
  }
}

/** Applies a `PATCH …/jobs/query/{id}` body; only `{"state":"Aborted"}` is allowed. */
export function patchQueryJob(deps: BulkDeps, job: QueryJob, rawBody: unknown): void {
  const body = bodyObject(rawBody);
  assertKnownKeys(body, ['state']);
  const next = requestedTransition('query', job.state, body.state);
  setState(deps, job, next);
}

/** Deletes a job; Salesforce refuses while it is still being processed. */
export function deleteJob(deps: BulkDeps, job: { id: string; state: QueryJob['state'] }): void {
  if (job.state === 'InProgress' || job.state === 'Open') {
    throw invalidJobState(`Deleting a job in state ${job.state} is not allowed; abort it or wait for it to finish`);
  }
  deps.registry.delete(job.id);
}

/** One page of results, as the route sends it. */
export interface ResultPage {
  readonly columns: readonly string[];
  readonly from: number;
  readonly to: number;
  /** `Sforce-Locator`: where the next page starts, or the string "null" after the last. */
  readonly nextLocator: string;
}

/** Works out which rows `GET …/results?locator=&maxRecords=` asks for. */
export function resultPage(
  deps: BulkDeps,
  job: QueryJob,
  requestVersion: string,
  locator: string | undefined,
  maxRecords: unknown,
): ResultPage {
  // Results must be fetched with the API version the job was created with (409 otherwise).
  if (requestVersion !== job.apiVersion) {
    throw new SalesforceError(
      409,
      'INVALIDJOBSTATE',
      `Results of job ${job.id} must be retrieved with API version ${job.apiVersion}, the version it was created with`,
    );
  }
  if (job.state !== 'JobComplete' || !job.result) {
    throw invalidJobState(
      isFinal(job.state)
        ? `Job ${job.id} is ${job.state}; it has no results`
        : `Job ${job.id} is not complete (state ${job.state}); poll until JobComplete`,
    );
  }
  const total = job.result.size;
  const from = decodeLocator(locator, total);
  const to = Math.min(total, from + parseMaxRecords(maxRecords, deps.options.defaultMaxRecords));
  deps.onResultPage(job.id, to - from);
  return { columns: job.result.columns, from, to, nextLocator: to < total ? encodeLocator(to) : LAST_PAGE_LOCATOR };
}
