// The Bulk API 2.0 job lifecycle, shared by query and ingest jobs:
//   ingest: Open → UploadComplete → InProgress → JobComplete | Failed, or Aborted before the end
//   query:         UploadComplete → InProgress → JobComplete | Failed, or Aborted before the end
// Clients may only ask for UploadComplete (ingest, from Open) and Aborted; the service itself
// moves jobs through InProgress to a final state, asynchronously.
import { invalidJobState, invalidRequest } from './errors';

/** The states a Bulk 2.0 job reports in `state`. */
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** Which of the two Bulk 2.0 job families a job belongs to. */
export type JobKind = 'ingest' | 'query';

const FINAL_STATES: ReadonlySet<JobState> = new Set(['JobComplete', 'Failed', 'Aborted']);

/** True once a job can change no more (complete, failed or aborted). */
export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}

// Wording after Bulk API's InvalidJobState messages ("Aborting already Completed Job not allowed").
const PAST_TENSE: Record<JobState, string> = {
  Open: 'Open',
  UploadComplete: 'UploadComplete',
  InProgress: 'InProgress',
  JobComplete: 'Completed',
  Failed: 'Failed',
  Aborted: 'Aborted',
};

/**
 * Validates a client's `PATCH {"state": …}` and returns the state to move to; throws
 * SalesforceError (INVALIDJOB / INVALIDJOBSTATE) naming the problem otherwise.
 */
export function requestedTransition(kind: JobKind, current: JobState, requested: unknown): JobState {
  if (requested === 'Aborted') {
    if (isFinal(current)) throw invalidJobState(`Aborting already ${PAST_TENSE[current]} Job not allowed`);
    return 'Aborted';
  }
  if (requested === 'UploadComplete' && kind === 'ingest') {
    if (current !== 'Open') throw invalidJobState(`Closing already ${PAST_TENSE[current]} Job not allowed`);
    return 'UploadComplete';
  }
  const allowed = kind === 'ingest' ? "'UploadComplete' or 'Aborted'" : "'Aborted'";
  throw invalidRequest(`Invalid state ${JSON.stringify(requested)} for a ${kind} job: expected ${allowed}`);
}
