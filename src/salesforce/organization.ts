/**
 * Reads the connected org's name: `SELECT Name FROM Organization` (one API call). The Organization
 * object has exactly one row, the org itself
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm).
 */
import type { SalesforceClient } from './connection';
import { queryPages } from './rest-query';
import { buildSelect } from './soql';

/** The org's name, or null when the sync user cannot query Organization (the id still identifies the org). */
export async function readOrganizationName(client: SalesforceClient): Promise<string | null> {
  try {
    for await (const page of queryPages<{ Name?: unknown }>(
      client,
      buildSelect({ object: 'Organization', fields: ['Name'], limit: 1 }),
    )) {
      const name = page.records[0]?.Name;
      return typeof name === 'string' ? name : null;
    }
    return null;
  } catch {
    // A name is only for messages; an org without API access to Organization is still identified by its id.
    return null;
  }
}
