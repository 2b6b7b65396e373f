/**
 * sObject describe as the sync user. Field-level security hides fields from describe entirely
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm), so what this returns is exactly what the credential may sync.
 */
import type { FieldDescription } from '../sync/type-mapping';
import type { SalesforceClient } from './connection';
import { soqlObjectName } from './soql';

/** The part of a describe result Tandem uses. */
export interface ObjectDescription {
  name: string;
  keyPrefix: string | null;
  queryable: boolean;
  replicateable: boolean;
  deletable: boolean;
  fields: FieldDescription[];
}

/** Describes one sObject (one API call); unknown objects fail with Salesforce's NOT_FOUND / INVALID_TYPE. */
export async function describeObject(client: SalesforceClient, object: string): Promise<ObjectDescription> {
  const result = await client.request<ObjectDescription & { fields: FieldDescription[] }>({
    method: 'GET',
    url: `/sobjects/${soqlObjectName(object)}/describe`,
  });
  return {
    name: result.name,
    keyPrefix: result.keyPrefix ?? null,
    queryable: result.queryable !== false,
    replicateable: result.replicateable !== false,
    deletable: result.deletable === true,
    fields: result.fields.map((f) => ({
      name: f.name,
      type: f.type,
      length: f.length,
      precision: f.precision,
      scale: f.scale,
      digits: f.digits,
      referenceTo: f.referenceTo,
      calculated: f.calculated,
      compoundFieldName: f.compoundFieldName,
      createable: f.createable,
      updateable: f.updateable,
      externalId: f.externalId,
    })),
  };
}
