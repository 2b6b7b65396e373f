// Bulk 2.0 ingest jobs: create (Open), CSV upload, close (UploadComplete), then background
// processing in steps of a few hundred rows (InProgress → JobComplete, or Failed when the data
// cannot be read), each row written through the same store functions as REST. Aborting
// mid-way leaves the remaining rows in unprocessedrecords.
import { SalesforceError } from '../errors';
import { parseDialect } from './csv-dialect';
import { invalidJobState, invalidRequest } from './errors';
import { assertCsvContentType, assertKnownKeys, bodyObject, optionalString, requiredString } from './job-body';
import { IngestDataError, parseUpload } from './ingest-csv';
import { requestedTransition } from './job-state';
import { INGEST_OPERATIONS, type IngestJob, type IngestOperation } from './jobs';
import type { BulkDeps } from './options';
import type { RowOutcome } from './results-csv';

const CREATE_KEYS = [
  'object',
  'operation',
  'externalIdFieldName',
  'contentType',
  'columnDelimiter',
  'lineEnding',
  'assignmentRuleId',
] as const;

/** Salesforce's cap on one upload: 150 MB (https://developer.salesforce.com/docs/platform/api-asynch/guide/upload-job-data.html). */
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;

/** Creates an ingest job from a `POST …/jobs/ingest` body, in state Open. */
export function createIngestJob(deps: BulkDeps, rawBody: unknown, userId: string, apiVersion: string): IngestJob {
  const body = bodyObject(rawBody);
  assertKnownKeys(body, CREATE_KEYS);
  const objectName = requiredString(body, 'object');
  const operation = requiredString(body, 'operation');
  if (!(INGEST_OPERATIONS as readonly string[]).includes(operation)) {
    throw invalidRequest(`Invalid operation '${operation}': expected one of ${INGEST_OPERATIONS.join(', ')}`);
  }
  const externalId = optionalString(body, 'externalIdFieldName');
  if (operation === 'upsert' && !externalId)
    throw invalidRequest("Required field 'externalIdFieldName' is missing for upsert");
  if (operation !== 'upsert' && externalId) {
    throw invalidRequest(`externalIdFieldName is only allowed with the upsert operation, not ${operation}`);
  }
  assertCsvContentType(body);
  const dialect = parseDialect(body.columnDelimiter, body.lineEnding);
  const target = deps.backend.ingestTarget(objectName, operation as IngestOperation, externalId, userId);
  const now = deps.backend.now();
  const id = deps.backend.newJobId();
  const job: IngestJob = {
    kind: 'ingest',
    id,
    operation: operation as IngestOperation,
    object: target.object,
    externalIdFieldName: target.externalIdFieldName,
    createdById: userId,
    createdDate: now,
    systemModstamp: now,
    state: 'Open',
    apiVersion,
    dialect,
    numberRecordsProcessed: 0,
    numberRecordsFailed: 0,
    totalProcessingTime: 0,
    errorMessage: null,
    uploads: [],
    uploadBytes: 0,
    uploadPath: `/services/data/v${apiVersion}/jobs/ingest/${id}/batches`,
    header: [],
    rows: [],
    outcomes: [],
  };
  deps.registry.add(job);
  return job;
}

/** Stores one CSV upload (`PUT …/batches`); only an Open job takes data. */
export function uploadIngestData(job: IngestJob, csv: string, bytes: number): void {
  if (job.state !== 'Open')
    throw invalidJobState(`Job ${job.id} is ${job.state}; data can only be uploaded while it is Open`);
  if (job.uploadBytes + bytes > MAX_UPLOAD_BYTES) {
    throw new SalesforceError(400, 'INVALIDJOB', `Job data exceeds the maximum of ${MAX_UPLOAD_BYTES} bytes per job`);
  }
  job.uploads.push(csv);
  job.uploadBytes += bytes;
}

/** Applies a `PATCH …/jobs/ingest/{id}` body: close (UploadComplete) starts processing, or abort. */
export function patchIngestJob(deps: BulkDeps, job: IngestJob, rawBody: unknown): void {
  const body = bodyObject(rawBody);
  assertKnownKeys(body, ['state']);
  const next = requestedTransition('ingest', job.state, body.state);
  setState(deps, job, next);
  if (next === 'UploadComplete')
    deps.registry.schedule(deps.options.processingDelayMs, () => startProcessing(deps, job));
  // Rows of a job aborted before processing never ran: they belong in unprocessedrecords.
  if (next === 'Aborted' && job.uploads.length > 0) {
    try {
      readUploads(job);
    } catch (error) {
      if (!(error instanceof IngestDataError)) throw error;
    }
  }
}

// Parses the stored uploads into the job's header and rows; throws IngestDataError.
function readUploads(job: IngestJob): void {
  const uploads = job.uploads.map((csv) => parseUpload(csv, job.dialect));
  if (uploads.length === 0) throw new IngestDataError('InvalidBatch : Records not found in the upload');
  const header = uploads[0].header;
  for (const upload of uploads.slice(1)) {
    if (upload.header.join('\u0000').toLowerCase() !== header.join('\u0000').toLowerCase()) {
      throw new IngestDataError('InvalidBatch : All uploads of a job must have the same header row');
    }
  }
  job.header = header;
  job.rows = uploads.flatMap((u) => u.rows);
  job.uploads = [];
}

function setState(deps: BulkDeps, job: IngestJob, state: IngestJob['state']): void {
  job.state = state;
  job.systemModstamp = deps.backend.now();
}

function fail(deps: BulkDeps, job: IngestJob, message: string): void {
  job.errorMessage = message;
  setState(deps, job, 'Failed');
}

function startProcessing(deps: BulkDeps, job: IngestJob): void {
  if (job.state !== 'UploadComplete') return;
  setState(deps, job, 'InProgress');
  try {
    readUploads(job);
    const fields = deps.backend.resolveHeader(job, job.operation, job.header, job.createdById);
    const started = Date.now();
    deps.registry.schedule(deps.options.processingDelayMs, () => processChunk(deps, job, fields, 0, started));
  } catch (error) {
    if (error instanceof IngestDataError) return fail(deps, job, error.message);
    throw error;
  }
}

function processChunk(deps: BulkDeps, job: IngestJob, fields: readonly string[], start: number, started: number): void {
  if (job.state !== 'InProgress') return;
  const end = Math.min(job.rows.length, start + deps.options.ingestChunkSize);
  for (let i = start; i < end; i++) {
    const outcome = processRow(deps, job, fields, job.rows[i]);
    job.outcomes[i] = outcome;
    job.numberRecordsProcessed++;
    if (outcome.kind === 'failure') job.numberRecordsFailed++;
  }
  job.totalProcessingTime += Date.now() - started;
  if (end >= job.rows.length) return setState(deps, job, 'JobComplete');
  deps.registry.schedule(0, () => processChunk(deps, job, fields, end, Date.now()));
}

function processRow(deps: BulkDeps, job: IngestJob, fields: readonly string[], row: readonly string[]): RowOutcome {
  const cells: Record<string, string> = {};
  for (let c = 0; c < fields.length; c++) cells[fields[c]] = row[c] ?? '';
  const id = job.operation === 'insert' ? '' : (cells.Id ?? '');
  if (deps.recordFault('PUT', job.uploadPath)) {
    return {
      kind: 'failure',
      id,
      error: {
        statusCode: 'UNABLE_TO_LOCK_ROW',
        message: `unable to obtain exclusive access to this record or 1 records: ${id || 'new record'}`,
        fields: [],
      },
    };
  }
  return deps.backend.writeRow({
    object: job.object,
    operation: job.operation,
    externalIdFieldName: job.externalIdFieldName,
    cells,
    userId: job.createdById,
  });
}

/** Result files are only served once processing has ended. */
export function assertResultsReady(job: IngestJob): void {
  if (job.state === 'Open' || job.state === 'UploadComplete' || job.state === 'InProgress') {
    throw invalidJobState(
      `Job ${job.id} is ${job.state}; results are available once it is JobComplete, Failed or Aborted`,
    );
  }
}
