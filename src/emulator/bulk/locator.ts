// Bulk 2.0 query result locators. Salesforce's are opaque short strings (base64 of a row
// position, e.g. "MTAwMDA" for 10000); so are ours. The last page carries the string "null".
import { SalesforceError } from '../errors';
import { invalidRequest } from './errors';

/** The `Sforce-Locator` value that tells clients there is no further page. */
export const LAST_PAGE_LOCATOR = 'null';

/** Encodes the row offset where the next page starts. */
export function encodeLocator(offset: number): string {
  return Buffer.from(String(offset), 'utf8').toString('base64url');
}

/**
 * Decodes a `locator` query parameter into a row offset (0 when absent); throws SalesforceError
 * INVALID_LOCATOR when it is not one of ours or points past the end of the results.
 */
export function decodeLocator(locator: string | undefined, totalRows: number): number {
  if (locator === undefined || locator === '') return 0;
  const text = Buffer.from(locator, 'base64url').toString('utf8');
  const offset = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(offset) || offset > totalRows || encodeLocator(offset) !== locator) {
    throw new SalesforceError(400, 'INVALID_LOCATOR', `Invalid locator: ${locator}`);
  }
  return offset;
}

/**
 * Parses `maxRecords`; without it the page size is `defaultMax`. Salesforce caps a page by
 * size rather than count, so any positive integer is accepted.
 */
export function parseMaxRecords(raw: unknown, defaultMax: number): number {
  if (raw === undefined || raw === '') return defaultMax;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidRequest(`Invalid maxRecords: ${String(raw)}. It must be a positive integer`);
  }
  return value;
}
