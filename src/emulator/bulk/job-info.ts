// The JSON Salesforce answers for a Bulk 2.0 job: the short form on create and PATCH, the
// long form (with jobType and counters) on GET and in job lists.
import type { BulkJob } from './jobs';

// Job timestamps are written like REST datetimes: 2024-01-01T00:00:00.000+0000.
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The job as create and state changes return it. */
export function shortJobInfo(job: BulkJob): Record<string, unknown> {
  const info: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: stamp(job.createdDate),
    systemModstamp: stamp(job.systemModstamp),
    state: job.state,
  };
  if (job.kind === 'ingest' && job.externalIdFieldName) info.externalIdFieldName = job.externalIdFieldName;
  info.concurrencyMode = 'Parallel';
  info.contentType = 'CSV';
  info.apiVersion = Number(job.apiVersion);
  if (job.kind === 'ingest') info.contentUrl = `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
  info.lineEnding = job.dialect.lineEnding;
  info.columnDelimiter = job.dialect.columnDelimiter;
  return info;
}

/** The job as `GET …/jobs/{kind}/{id}` returns it. */
export function fullJobInfo(job: BulkJob): Record<string, unknown> {
  const info = shortJobInfo(job);
  if (job.kind === 'ingest') {
    delete info.contentUrl;
    Object.assign(info, {
      jobType: 'V2Ingest',
      numberRecordsProcessed: job.numberRecordsProcessed,
      numberRecordsFailed: job.numberRecordsFailed,
      retries: 0,
      totalProcessingTime: job.totalProcessingTime,
      apiActiveProcessingTime: job.totalProcessingTime,
      apexProcessingTime: 0,
    });
  } else {
    Object.assign(info, {
      jobType: 'V2Query',
      numberRecordsProcessed: job.numberRecordsProcessed,
      retries: 0,
      totalProcessingTime: job.totalProcessingTime,
      isPkChunkingSupported: true,
    });
  }
  if (job.errorMessage) info.errorMessage = job.errorMessage;
  return info;
}
