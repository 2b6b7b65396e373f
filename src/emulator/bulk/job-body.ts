// Validation of the JSON bodies of Bulk 2.0 create and PATCH requests. Unknown keys are
// refused, as Salesforce refuses unknown job properties, and every message names the key.
import { invalidRequest } from './errors';

/** The request body as a plain object; throws INVALIDJOB when it is anything else. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Throws INVALIDJOB for the first key of `body` not in `allowed`. */
export function assertKnownKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalidRequest(`Unrecognized field '${key}' in the job definition`);
  }
}

/** A required non-empty string property. */
export function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (value === undefined || value === null || value === '') throw invalidRequest(`Required field '${key}' is missing`);
  if (typeof value !== 'string') throw invalidRequest(`Field '${key}' must be a string`);
  return value;
}

/** An optional string property, or null. */
export function optionalString(body: Record<string, unknown>, key: string): string | null {
  const value = body[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalidRequest(`Field '${key}' must be a string`);
  return value;
}

/** Bulk 2.0 only speaks CSV; `contentType` may be omitted or `CSV`. */
export function assertCsvContentType(body: Record<string, unknown>): void {
  const value = body.contentType;
  if (value !== undefined && value !== 'CSV') {
    throw invalidRequest(`Invalid contentType ${JSON.stringify(value)}: Bulk API 2.0 supports only CSV`);
  }
}
