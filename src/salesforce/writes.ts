/**
 * Record writes for the push: sObject Collections (at most 200 records per call, per-record results in
 * input order, HTTP 200 even when records fail — https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html)
 * and Bulk API 2.0 ingest (https://developer.salesforce.com/docs/platform/api-asynch/guide/upload-job-data.html) for large batches. Always `allOrNone: false`, so one bad record never rolls back the others.
 * Requests go through SalesforceClient.request, which counts them.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { SalesforceClient } from './connection';
import { soqlObjectName } from './soql';
import { stringifyExact } from '../sync/exact-json';

/** sObject Collections take at most 200 records per call (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html). */
export const COLLECTION_LIMIT = 200;

/** One per-record error as Salesforce reports it (collections: `statusCode`; Bulk: parsed from `sf__Error`). */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
  /** DUPLICATES_DETECTED: the ids of the records the duplicate rule matched. */
  duplicateIds?: string[];
}

/** One record's outcome, in the order the records were sent. */
export interface RecordResult {
  success: boolean;
  id: string | null;
  created?: boolean;
  errors: RecordError[];
}

/** A record as sent: field API name → JSON value (null clears the field). */
export type OutgoingRecord = Record<string, unknown>;

interface RawSaveResult {
  id?: string | null;
  success: boolean;
  created?: boolean;
  errors?: {
    statusCode?: string;
    errorCode?: string;
    message?: string;
    fields?: string[];
    duplicateResult?: DuplicateResult;
  }[];
}

interface DuplicateResult {
  matchResults?: { matchRecords?: { record?: { Id?: string } }[] }[];
}

function toResult(raw: RawSaveResult): RecordResult {
  return {
    success: raw.success === true,
    id: raw.id ?? null,
    ...(raw.created !== undefined && { created: raw.created }),
    errors: (raw.errors ?? []).map((e) => {
      const duplicateIds = e.duplicateResult?.matchResults?.flatMap((m) =>
        (m.matchRecords ?? []).map((r) => r.record?.Id).filter((id): id is string => !!id),
      );
      return {
        statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION',
        message: e.message ?? '',
        fields: e.fields ?? [],
        ...(duplicateIds && duplicateIds.length > 0 && { duplicateIds }),
      };
    }),
  };
}

function checkSize(records: readonly unknown[]): void {
  if (records.length > COLLECTION_LIMIT)
    throw new RangeError(
      `sObject Collections take at most ${COLLECTION_LIMIT} records per call, got ${records.length}`,
    );
}

function withType(object: string, records: readonly OutgoingRecord[]): OutgoingRecord[] {
  return records.map((r) => ({ attributes: { type: object }, ...r }));
}

/** Creates up to 200 records of `object`. */
export async function createRecords(
  client: SalesforceClient,
  object: string,
  records: readonly OutgoingRecord[],
): Promise<RecordResult[]> {
  checkSize(records);
  const raw = await client.request<RawSaveResult[]>({
    method: 'POST',
    url: '/composite/sobjects',
    body: stringifyExact({ allOrNone: false, records: withType(soqlObjectName(object), records) }),
    headers: { 'Content-Type': 'application/json' },
  });
  return raw.map(toResult);
}

/** Upserts up to 200 records of `object` by the external-id field `externalIdField` (each record carries it). */
export async function upsertRecords(
  client: SalesforceClient,
  object: string,
  externalIdField: string,
  records: readonly OutgoingRecord[],
): Promise<RecordResult[]> {
  checkSize(records);
  const raw = await client.request<RawSaveResult[]>({
    method: 'PATCH',
    url: `/composite/sobjects/${soqlObjectName(object)}/${soqlObjectName(externalIdField)}`,
    body: stringifyExact({ allOrNone: false, records: withType(soqlObjectName(object), records) }),
    headers: { 'Content-Type': 'application/json' },
  });
  return raw.map(toResult);
}

/** Updates up to 200 records of `object`; each record carries its `Id`. */
export async function updateRecords(
  client: SalesforceClient,
  object: string,
  records: readonly OutgoingRecord[],
): Promise<RecordResult[]> {
  checkSize(records);
  const raw = await client.request<RawSaveResult[]>({
    method: 'PATCH',
    url: '/composite/sobjects',
    body: stringifyExact({ allOrNone: false, records: withType(soqlObjectName(object), records) }),
    headers: { 'Content-Type': 'application/json' },
  });
  return raw.map(toResult);
}

/** Deletes up to 200 records by id. */
export async function deleteRecords(client: SalesforceClient, ids: readonly string[]): Promise<RecordResult[]> {
  checkSize(ids);
  const raw = await client.request<RawSaveResult[]>({
    method: 'DELETE',
    url: `/composite/sobjects?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`,
  });
  return raw.map(toResult);
}

/** Bulk API 2.0 ingest operations the push uses. */
export type IngestOperation = 'update' | 'upsert' | 'delete';

/** Options of `bulkIngest`. */
export interface IngestOptions {
  object: string;
  operation: IngestOperation;
  /** Required for `upsert`. */
  externalIdFieldName?: string;
  /** Column names (field API names; `Id` for update and delete). */
  columns: readonly string[];
  /** One array per record, aligned with `columns`. `null` clears a field (`#N/A`); `undefined` leaves it unchanged. */
  rows: readonly (readonly unknown[])[];
  /** The column identifying each row in the results (`Id`, or the external-id field). */
  keyColumn: string;
  pollIntervalMs: number;
  timeoutMs: number;
  /** Called on every poll (heartbeats). */
  onPoll?: () => void;
}

/** The outcome of a Bulk ingest job, keyed by the value of `keyColumn`. */
export interface IngestResult {
  jobId: string;
  results: Map<string, RecordResult>;
  /** Keys Salesforce never processed (the job failed or was aborted part-way). */
  unprocessed: string[];
}

/** Thrown when an ingest job fails as a whole, or does not finish in time; names the job and object. */
export class IngestJobError extends Error {
  override readonly name = 'IngestJobError';
}

interface IngestJobInfo {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
}

/** Encodes one CSV cell for Bulk ingest: `#N/A` sets null, an empty cell leaves the field unchanged (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm). */
function cell(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || value === '') return '#N/A';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return typeof value === 'string' ? value : String(value);
}

/**
 * Parses Bulk's `sf__Error` text: `CODE:message:FIELDS --` (e.g. `REQUIRED_FIELD_MISSING:Required
 * fields are missing: [Name]:Name --`).
 */
export function parseBulkError(text: string): RecordError {
  const match =
    /^([A-Z_]+):(.*?)(?::([A-Za-z0-9_, ]*))?\s*--\s*$/s.exec(text.trim()) ?? /^([A-Z_]+):(.*)$/s.exec(text.trim());
  if (!match) return { statusCode: 'UNKNOWN_EXCEPTION', message: text, fields: [] };
  const fields = (match[3] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return { statusCode: match[1]!, message: match[2]!.trim(), fields };
}

function rowsOf(body: unknown): Record<string, string>[] {
  if (Array.isArray(body)) return body as Record<string, string>[];
  if (typeof body === 'string' && body.trim() !== '')
    return parseCsv(body, { columns: true, bom: true }) as Record<string, string>[];
  return [];
}

/**
 * Runs one Bulk API 2.0 ingest job: create, upload the CSV, close, poll until it ends, then read the
 * results. Calls: 3 + polls + result files — the successful-results file only when an `upsert` needs
 * the new ids, the failed-results file only when records failed, unprocessed only when some were not
 * processed. The first poll waits for roughly the time the job needs, so small jobs poll once.
 */
export async function bulkIngest(client: SalesforceClient, options: IngestOptions): Promise<IngestResult> {
  const object = soqlObjectName(options.object);
  const created = await client.request<IngestJobInfo>({
    method: 'POST',
    url: '/jobs/ingest',
    body: JSON.stringify({
      object,
      operation: options.operation,
      ...(options.externalIdFieldName && { externalIdFieldName: options.externalIdFieldName }),
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    }),
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  const jobId = created.id;
  const csv = stringifyCsv([options.columns as string[], ...options.rows.map((r) => r.map(cell))]);
  await client.request({
    method: 'PUT',
    url: `/jobs/ingest/${jobId}/batches`,
    body: csv,
    headers: { 'Content-Type': 'text/csv' },
  });
  let info = await client.request<IngestJobInfo>({
    method: 'PATCH',
    url: `/jobs/ingest/${jobId}`,
    body: JSON.stringify({ state: 'UploadComplete' }),
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  const deadline = Date.now() + options.timeoutMs;
  // Salesforce processes ingest asynchronously in internal batches and never answers within a few
  // hundred milliseconds; a first wait of half a second plus ~0.1 ms a row, then doubling, keeps the
  // polls — each an API call — to one or two per job.
  let wait = Math.max(options.pollIntervalMs, 500 + Math.ceil(options.rows.length * 0.1));
  while (info.state === 'UploadComplete' || info.state === 'InProgress' || info.state === 'Open') {
    if (Date.now() > deadline)
      throw new IngestJobError(
        `${object}: Bulk ingest job ${jobId} did not finish within ${options.timeoutMs} ms (state ${info.state})`,
      );
    await new Promise((resolve) => setTimeout(resolve, wait));
    options.onPoll?.();
    info = await client.request<IngestJobInfo>({ method: 'GET', url: `/jobs/ingest/${jobId}` });
    wait = Math.min(wait * 2, 10_000);
  }
  if (info.state === 'Failed' && (info.numberRecordsProcessed ?? 0) === 0) {
    throw new IngestJobError(`${object}: Bulk ingest job ${jobId} failed: ${info.errorMessage ?? 'no message'}`);
  }
  const results = new Map<string, RecordResult>();
  const processed = info.numberRecordsProcessed ?? 0;
  const failed = info.numberRecordsFailed ?? 0;
  const keyColumn = options.keyColumn;
  if (failed > 0) {
    const body = await client.request<unknown>({
      method: 'GET',
      url: `/jobs/ingest/${jobId}/failedResults`,
      headers: { Accept: 'text/csv' },
    });
    for (const row of rowsOf(body)) {
      const key = row[keyColumn];
      if (key)
        results.set(key, { success: false, id: row.sf__Id || null, errors: [parseBulkError(row.sf__Error ?? '')] });
    }
  }
  if (options.operation === 'upsert' || failed > 0 || processed < options.rows.length) {
    // Upserts need the new ids; with failures or unprocessed rows, successes must be told apart.
    const body = await client.request<unknown>({
      method: 'GET',
      url: `/jobs/ingest/${jobId}/successfulResults`,
      headers: { Accept: 'text/csv' },
    });
    for (const row of rowsOf(body)) {
      const key = row[keyColumn];
      if (key)
        results.set(key, { success: true, id: row.sf__Id || null, created: row.sf__Created === 'true', errors: [] });
    }
  } else {
    // Every processed record succeeded: no result file needed.
    const keyIndex = options.columns.indexOf(keyColumn);
    for (const row of options.rows)
      results.set(String(row[keyIndex]), { success: true, id: String(row[keyIndex]), errors: [] });
  }
  const unprocessed: string[] = [];
  if (processed < options.rows.length) {
    const keyIndex = options.columns.indexOf(keyColumn);
    for (const row of options.rows) {
      const key = String(row[keyIndex]);
      if (!results.has(key)) unprocessed.push(key);
    }
    for (const key of unprocessed) results.delete(key);
  }
  return { jobId, results, unprocessed };
}
