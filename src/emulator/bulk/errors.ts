// Bulk API 2.0 refusals, as the core's SalesforceError (rendered `[{message, errorCode}]`),
// with the error codes Bulk uses for jobs.
import { SalesforceError } from '../errors';

/** Thrown for an unknown job id, or a job of the other kind (query id on an ingest path). */
export function jobNotFound(): SalesforceError {
  return new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** Thrown for a malformed request body or parameter; the message names the offending input. */
export function invalidRequest(message: string): SalesforceError {
  return new SalesforceError(400, 'INVALIDJOB', message);
}

/** Thrown when a request is not allowed in the job's current state. */
export function invalidJobState(message: string): SalesforceError {
  return new SalesforceError(400, 'INVALIDJOBSTATE', message);
}
