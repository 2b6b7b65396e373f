/**
 * Every failure of a sync activity is classified here, and only here (cf. Airbyte's rate_limiting.py):
 * transient ones are rethrown as retryable ApplicationFailures — the activity restarts from what
 * PostgreSQL has committed (watermark or copy checkpoint) — and permanent ones as non-retryable
 * failures whose message names the object and the call. Messages never carry credentials or tokens
 * (SalesforceClient.redactError already removed them; the message is re-checked against secrets here).
 */
import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { CredentialsError } from '../salesforce/credentials';
import { SessionRefreshError } from '../salesforce/connection';
import { BulkJobError } from '../salesforce/bulk-query';
import { CsvFormatError } from '../salesforce/bulk-csv';
import { SoqlBuildError } from '../salesforce/soql';
import { InvalidIdentifierError } from '../db/identifiers';
import { MigrationError } from '../db/migrations';
import { ConflictRuleError } from '../sync/merge';
import { SchemaMappingError } from '../sync/type-mapping';
import { ValueCoercionError } from '../sync/coerce';
import { UnknownObjectError } from '../objects';
import { OrgMismatchError } from '../sync/org-identity';

/**
 * What to do with a failure: `transient` retries under the activity's retry policy; `rate-limited`
 * retries after REQUEST_LIMIT_RETRY_DELAY; `permanent` is not retried; `unexpected` (a failure no
 * entry below knows) is retried, but at most UNEXPECTED_FAILURE_MAX_ATTEMPTS times, so one that
 * keeps happening surfaces as a failure instead of an activity retrying forever.
 */
export type ErrorClass =
  | { kind: 'transient'; type: string }
  | { kind: 'rate-limited'; type: string }
  | { kind: 'permanent'; type: string }
  | { kind: 'unexpected'; type: string };

/**
 * Attempts an unexpected failure gets before it is given up on. The copy's retry policy has no
 * attempt limit (a days-long copy must outlast outages), so this is what bounds it: with its backoff
 * (1 s doubling to 30 seconds) ten attempts span about three minutes. Cycle activities stop
 * earlier, at their own five attempts.
 */
export const UNEXPECTED_FAILURE_MAX_ATTEMPTS = 10;

/**
 * JavaScript's own errors from Tandem's code (a bug, not a condition): a retry runs the same code on
 * the same data and fails the same way, so they fail at once with their name in the message
 * (https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Error#error_types).
 * Checked after the network and PostgreSQL rules, because undici reports a lost connection as
 * `TypeError: fetch failed` with the network code on its cause.
 */
const PROGRAMMING_ERRORS: Record<string, string> = {
  TypeError: 'a value of the wrong type, e.g. a property read on undefined',
  RangeError: 'a length, count or number out of range',
  ReferenceError: 'a name that does not exist',
  EvalError: 'never thrown by current engines; listed for completeness',
  URIError: 'a malformed URI component in code that builds one',
};

/**
 * REQUEST_LIMIT_EXCEEDED means the org's rolling 24 h allowance (or the concurrent-request cap) is used
 * up; retrying within seconds only burns what is left (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html). Wait this long instead.
 */
export const REQUEST_LIMIT_RETRY_DELAY = '15 minutes';

// Salesforce error codes (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm), each with what it means for a read-side activity.
const SALESFORCE_CODES: Record<string, ErrorClass['kind']> = {
  SERVER_UNAVAILABLE: 'transient', // 503: maintenance or an overloaded pod
  UNKNOWN_EXCEPTION: 'transient', // 500: Salesforce's own failure
  UNABLE_TO_LOCK_ROW: 'transient', // another transaction holds the row; "retry is still your best bet" (jsforce#1018)
  QUERY_TIMEOUT: 'transient', // the next attempt resumes from a later watermark / checkpoint: a narrower window
  INVALID_QUERY_LOCATOR: 'transient', // locators expire after ~15 min idle: restart from the watermark
  INVALID_SESSION_ID: 'transient', // a 401 jsforce could not refresh this time; the next attempt logs in again
  REQUEST_LIMIT_EXCEEDED: 'rate-limited', // daily or concurrent API limit: back off for minutes
  INVALID_LOGIN: 'permanent', // wrong username / password / security token
  INVALID_TYPE: 'permanent', // object does not exist or the sync user cannot see it
  INVALID_FIELD: 'permanent', // raised only after a re-describe did not fix the query (see pull.ts)
  MALFORMED_QUERY: 'permanent', // a Tandem bug, not a condition retries fix
  NOT_FOUND: 'permanent', // describe of an unknown object
  INSUFFICIENT_ACCESS: 'permanent',
  INSUFFICIENT_ACCESS_OR_READONLY: 'permanent',
  API_DISABLED_FOR_ORG: 'permanent',
  API_CURRENTLY_DISABLED: 'permanent',
  FUNCTIONALITY_NOT_ENABLED: 'permanent',
  INVALID_OPERATION_WITH_EXPIRED_PASSWORD: 'permanent',
  EXCEEDED_ID_LIMIT: 'transient', // getDeleted window too large; the next window starts later
  INVALID_REPLICATION_DATE: 'transient', // window too short or clock skew; the next attempt moves it
  // OAuth token endpoint errors: jsforce names the Error after the `error` field (https://github.com/jsforce/jsforce/blob/master/src/oauth2.ts).
  invalid_grant: 'permanent',
  invalid_client: 'permanent',
  invalid_client_id: 'permanent',
  unsupported_grant_type: 'permanent',
};

// Node / undici network failures: the connection, not the request, failed.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

// PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock, connection loss, shutdown.
const PG_TRANSIENT = /^(40001|40P01|08\d{3}|57P0[123]|53300)$/;

/** The Salesforce or network error code of an error, when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { errorCode?: unknown; code?: unknown; name?: unknown; cause?: unknown; message?: unknown };
  if (typeof e.errorCode === 'string') return e.errorCode;
  if (typeof e.code === 'string') return e.code;
  if (typeof e.name === 'string' && (e.name in SALESFORCE_CODES || /^ERROR_HTTP_\d+$/.test(e.name))) return e.name;
  if (e.cause) return errorCode(e.cause);
  // jsforce SOAP login reports the fault string as the message: "INVALID_LOGIN: Invalid username, …"
  if (typeof e.message === 'string') {
    const match = /^([A-Z][A-Z_]{3,}):/.exec(e.message);
    if (match && match[1]! in SALESFORCE_CODES) return match[1];
  }
  return undefined;
}

/** Classifies one failure of a sync activity. */
export function classify(error: unknown): ErrorClass {
  // Another org than the bound one: retrying cannot help; the next cycle's plan checks again.
  if (error instanceof OrgMismatchError) return { kind: 'permanent', type: 'OrgMismatch' };
  // A session that expired again right after its refresh: under faults (401s in a row) a condition, not a
  // verdict — the next attempt logs in afresh, and bad credentials then fail that login (INVALID_LOGIN,
  // invalid_grant: permanent). Retried as transient, so it never drops an object from the copy queue;
  // cycle activities stop at their five attempts.
  if (error instanceof SessionRefreshError) return { kind: 'transient', type: 'SalesforceSessionError' };
  if (error instanceof CredentialsError) return { kind: 'permanent', type: 'SalesforceCredentialsError' };
  if (error instanceof UnknownObjectError) return { kind: 'permanent', type: 'UnknownObject' };
  if (error instanceof SchemaMappingError || error instanceof InvalidIdentifierError)
    return { kind: 'permanent', type: 'SchemaError' };
  if (error instanceof ValueCoercionError) return { kind: 'permanent', type: 'ValueCoercionError' };
  if (error instanceof SoqlBuildError) return { kind: 'permanent', type: 'SoqlBuildError' };
  if (error instanceof MigrationError) return { kind: 'permanent', type: 'MigrationError' };
  if (error instanceof ConflictRuleError) return { kind: 'permanent', type: 'ConfigError' };
  // A failed or aborted job is replaced by a new one on the next attempt (copy.ts clears it).
  if (error instanceof BulkJobError) return { kind: 'transient', type: 'BulkJobError' };
  const code = errorCode(error);
  if (code) {
    const known = SALESFORCE_CODES[code];
    if (known) return { kind: known, type: code };
    const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
    if (http)
      return Number(http[1]) >= 500 || http[1] === '429' || http[1] === '420'
        ? { kind: 'transient', type: code }
        : { kind: 'permanent', type: code };
    if (NETWORK_CODES.has(code)) return { kind: 'transient', type: 'NetworkError' };
    if (PG_TRANSIENT.test(code)) return { kind: 'transient', type: 'PostgresTransient' };
  }
  const message = error instanceof Error ? error.message : String(error);
  // pg's own errors for a connection that died under a query carry no SQLSTATE (src/db/pool.ts guardPool).
  if (/^Connection terminated|not queryable|Client was closed/.test(message))
    return { kind: 'transient', type: 'PostgresConnectionLost' };
  if (/fetch failed|socket hang up|network|ECONNRESET|ECONNREFUSED/i.test(message))
    return { kind: 'transient', type: 'NetworkError' };
  if (error instanceof Error && Object.hasOwn(PROGRAMMING_ERRORS, error.name))
    return { kind: 'permanent', type: 'ProgrammingError' };
  // CSV that does not parse (Tandem's Bulk result parser, csv-parse's CsvError on ingest results) is a
  // bug or a truncated body; a truncated body reads well on the next attempt, so a bounded number.
  if (error instanceof CsvFormatError || (error instanceof Error && error.name === 'CsvError'))
    return { kind: 'unexpected', type: 'CsvFormatError' };
  // A SyntaxError is a JSON.parse of a body that is not JSON (an HTML error page from a proxy, a
  // truncated reply) as often as a bug: a bounded number of attempts, like any failure not listed.
  return { kind: 'unexpected', type: error instanceof Error ? error.name : 'Error' };
}

/** Where a failure happened: the object and the Salesforce or PostgreSQL call. */
export interface FailureContext {
  object: string;
  call: string;
  /** Strings that must never appear in a failure message. */
  secrets?: readonly string[];
  /**
   * What a rate-limited failure does: `wait` (default) retries the activity after
   * REQUEST_LIMIT_RETRY_DELAY; `report` fails it at once, for the cycle's pull and push, so the workflow
   * records it as the object's last pull or push outcome — shown by `status` — instead of an activity
   * waiting 15 minutes invisibly; the next cycle (slowed above the API budget) tries again.
   */
  rateLimit?: 'wait' | 'report';
}

/** Converts any failure into the ApplicationFailure Temporal should see, per `classify`. */
export function toActivityFailure(error: unknown, context: FailureContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const cls = classify(error);
  let detail = error instanceof Error ? error.message : String(error);
  for (const secret of context.secrets ?? []) if (secret.length >= 4) detail = detail.split(secret).join('[redacted]');
  const code = errorCode(error);
  const message = `${context.object}: ${context.call} failed${code && !detail.includes(code) ? ` (${code})` : ''}: ${detail}`;
  switch (cls.kind) {
    case 'permanent':
      if (cls.type === 'ProgrammingError') {
        const name = error instanceof Error ? error.name : 'Error';
        return ApplicationFailure.create({
          message: `${context.object}: ${context.call} failed: ${name}: ${detail} (a bug in Tandem; retrying cannot fix it)`,
          type: cls.type,
          nonRetryable: true,
        });
      }
      return ApplicationFailure.create({ message, type: cls.type, nonRetryable: true });
    case 'unexpected': {
      const attempt = currentAttempt();
      if (attempt === undefined || attempt < UNEXPECTED_FAILURE_MAX_ATTEMPTS)
        return ApplicationFailure.create({ message, type: cls.type, nonRetryable: false });
      return ApplicationFailure.create({
        message: `${message} (an unexpected failure, given up after ${attempt} attempts)`,
        type: cls.type,
        nonRetryable: true,
      });
    }
    case 'rate-limited':
      if (context.rateLimit === 'report') {
        return ApplicationFailure.create({
          message: `${message} (the Salesforce API limit is used up; the next cycle tries again)`,
          type: cls.type,
          nonRetryable: true,
        });
      }
      return ApplicationFailure.create({ message, type: cls.type, nextRetryDelay: REQUEST_LIMIT_RETRY_DELAY });
    case 'transient':
      return ApplicationFailure.create({ message, type: cls.type, nonRetryable: false });
  }
}

/** The attempt number of the running activity, or undefined outside one (unit tests call toActivityFailure directly). */
function currentAttempt(): number | undefined {
  try {
    return activityInfo().attempt;
  } catch {
    return undefined;
  }
}

/**
 * What the push does with one record Salesforce refused (sObject Collections and Bulk ingest report
 * errors per record): `transient` leaves the change pending for the next cycle; `permanent` records a
 * durable sync error, marks the row, and waits for the row to change again or a resync.
 */
export type RecordErrorClass = 'transient' | 'permanent';

// Per-record status codes (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm), each with why it is retried or dead-lettered.
const RECORD_CODES: Record<string, RecordErrorClass> = {
  UNABLE_TO_LOCK_ROW: 'transient', // another transaction held the record; retrying is the documented fix
  ALL_OR_NONE_OPERATION_ROLLED_BACK: 'transient', // innocent record rolled back with a guilty one: re-send
  SERVER_UNAVAILABLE: 'transient',
  UNKNOWN_EXCEPTION: 'transient', // Salesforce's own failure
  REQUEST_LIMIT_EXCEEDED: 'transient',
  CANNOT_UPDATE_CONVERTED_LEAD: 'transient', // converted since the last pull: the next pull redirects the edit to its contact
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'permanent', // a validation rule: the data must change
  REQUIRED_FIELD_MISSING: 'permanent',
  DUPLICATES_DETECTED: 'permanent', // a duplicate rule (linked instead when sync.dedupeLeadsByEmail finds the match)
  DUPLICATE_VALUE: 'permanent', // a unique field clashes
  STRING_TOO_LONG: 'permanent',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'permanent',
  INVALID_CAMPAIGN_MEMBER_STATUS: 'permanent', // Tandem's own check against the campaign's member statuses
  INSUFFICIENT_ACCESS_OR_READONLY: 'permanent', // no permission on the record
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'permanent', // e.g. an owner the sync user may not assign
  INVALID_FIELD_FOR_INSERT_UPDATE: 'permanent', // field-level security changed since the last describe
  INVALID_FIELD: 'permanent',
  INVALID_CROSS_REFERENCE_KEY: 'permanent', // a lookup to a record that does not exist or is not visible
  FIELD_INTEGRITY_EXCEPTION: 'permanent',
  ENTITY_IS_DELETED: 'permanent', // deleted in Salesforce: the change has nowhere to go
  NOT_FOUND: 'permanent',
  MALFORMED_ID: 'permanent',
  INVALID_EMAIL_ADDRESS: 'permanent',
  NUMBER_OUTSIDE_VALID_RANGE: 'permanent',
  ENTITY_IS_LOCKED: 'permanent', // approval lock: an admin must unlock it
};

/** Classifies one per-record error code; unknown codes are permanent, so they surface as sync errors rather than retry forever. */
export function classifyRecordError(code: string): RecordErrorClass {
  return RECORD_CODES[code] ?? 'permanent';
}
