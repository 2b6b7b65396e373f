// Salesforce-shaped errors. A single REST call answers `[{message, errorCode, fields}]`; a
// record inside a collection, bulk job or SOAP call answers `{statusCode, message, fields}`
// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm). Both shapes come from these classes so the wording stays in one place.

/** One per-record failure, as sObject Collections, Bulk results and SOAP results carry it. */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
  /** Extra payload some codes carry, e.g. `duplicateResult` on DUPLICATES_DETECTED. */
  extra?: Record<string, unknown>;
}

/** Thrown by the store and the route modules when a whole request fails; rendered as `[{message, errorCode, fields}]` with `status`. */
export class SalesforceError extends Error {
  override readonly name = 'SalesforceError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }

  /** The REST error body Salesforce sends for this error. */
  toBody(): Array<{ message: string; errorCode: string; fields?: string[] }> {
    const body: { message: string; errorCode: string; fields?: string[] } = {
      message: this.message,
      errorCode: this.errorCode,
    };
    if (this.fields.length > 0) body.fields = this.fields;
    return [body];
  }
}

/** Thrown when a write of one record fails validation; carries the per-record error(s). */
export class RecordWriteError extends Error {
  override readonly name = 'RecordWriteError';
  constructor(readonly errors: RecordError[]) {
    super(errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '));
  }
}

/** Builds a per-record error. */
export function recordError(statusCode: string, message: string, fields: string[] = []): RecordError {
  return { statusCode, message, fields };
}

/** The 401 every authenticated endpoint answers for a missing, unknown or expired session. */
export function invalidSession(): SalesforceError {
  return new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
}

/** The 404 for a record that does not exist or that sharing hides. */
export function notFound(): SalesforceError {
  return new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
}
