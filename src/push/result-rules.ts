/**
 * What each per-record result of a push call means. Pure. sObject Collections and Bulk ingest report
 * every record on its own (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html):
 * a success, a record already gone (a delete's goal reached), a duplicate the object adopts instead of
 * creating (objects/<object>.ts `linkByEmail`, `adoptDuplicateValue`), a refused value the object
 * explains better (`allowedValues`), or a failure — transient (retried next cycle) or permanent (a sync
 * error), by the one table in src/activities/errors.ts.
 */
import { classifyRecordError } from '../activities/errors';
import type { RecordError, RecordResult } from '../salesforce/writes';
import type { PushOperation, PushPlan } from './types';

/** What to do with one record's result. */
export type ResultOutcome =
  | { kind: 'ok'; result: RecordResult }
  | { kind: 'retry'; error: RecordError }
  | { kind: 'failed'; error: RecordError }
  /** Take the existing record `id` instead of creating one. */
  | { kind: 'adopt'; id: string; note: string }
  /** The record may already exist: look it up by the insert key and adopt it, else treat `error` as usual. */
  | { kind: 'find-existing'; error: RecordError }
  /** A value the object checks itself was refused: report the allowed values instead of Salesforce's text. */
  | { kind: 'not-allowed'; error: RecordError };

// Salesforce's answers to deleting a record that is already deleted or purged
// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
const ALREADY_DELETED = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);

type PlanView = Pick<PushPlan, 'def' | 'linkByEmail' | 'adoptOnDuplicateValue' | 'allowedValues'>;

/** The outcome of one record's result (`result` undefined: the call returned none for it). */
export function resultOutcome(
  plan: PlanView,
  op: PushOperation,
  result: RecordResult | undefined,
  sfid: string | null,
): ResultOutcome {
  const r = result ?? {
    success: false,
    id: null,
    errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'no result returned for this record', fields: [] }],
  };
  if (r.success) return { kind: 'ok', result: r };
  const error = r.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'failed without an error', fields: [] };
  if (op === 'delete' && ALREADY_DELETED.has(error.statusCode))
    return { kind: 'ok', result: { success: true, id: sfid, errors: [] } };
  const duplicate = error.duplicateIds?.[0];
  if (op === 'insert' && error.statusCode === 'DUPLICATES_DETECTED' && plan.linkByEmail.length > 0 && duplicate) {
    return {
      kind: 'adopt',
      id: duplicate,
      note: `linked to the existing ${plan.def.name} ${duplicate} the duplicate rule matched (sync.dedupeLeadsByEmail)`,
    };
  }
  if (op === 'insert' && error.statusCode === 'DUPLICATE_VALUE' && plan.adoptOnDuplicateValue)
    return { kind: 'find-existing', error };
  return failureOutcome(plan, error);
}

/** A failure that is not adopted: the object's own explanation of a refused value, else retry or fail by its code. */
export function failureOutcome(plan: Pick<PushPlan, 'allowedValues'>, error: RecordError): ResultOutcome {
  const check = plan.allowedValues;
  if (check && error.statusCode === check.refusedWith && error.fields.includes(check.field))
    return { kind: 'not-allowed', error };
  return classifyRecordError(error.statusCode) === 'transient' ? { kind: 'retry', error } : { kind: 'failed', error };
}

/**
 * The shadow of a row changed again while its change was being sent: for each column changed again, the
 * value just sent (both sides agree on it now), else its previous base, else null.
 */
export function shadowAfterSend(
  changedAgain: readonly string[],
  sent: Readonly<Record<string, unknown>>,
  previous: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const c of changedAgain) base[c] = c in sent ? sent[c] : c in previous ? previous[c] : null;
  return base;
}
