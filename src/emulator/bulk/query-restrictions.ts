// SOQL that REST accepts but Bulk API 2.0 refuses: aggregates and GROUP BY, OFFSET, TYPEOF,
// child subqueries (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm). Compound fields are refused too; that
// needs field types and is checked where the columns are resolved. A query the parser cannot
// read passes through, so the SOQL evaluator reports it as MALFORMED_QUERY in its own words.
import { parseQuery, type Query } from '@jetstreamapp/soql-parser-js';
import { SalesforceError } from '../errors';

function refuse(message: string): SalesforceError {
  return new SalesforceError(400, 'INVALIDJOB', message);
}

/** Throws SalesforceError INVALIDJOB naming the first construct Bulk 2.0 cannot run. */
export function assertBulkQuerySupported(soql: string): void {
  let query: Query;
  try {
    query = parseQuery(soql);
  } catch {
    return;
  }
  for (const field of query.fields ?? []) {
    if (field.type === 'FieldSubquery') {
      throw refuse(
        `Aggregate Relationship is not supported in Bulk Query: (SELECT … FROM ${field.subquery.relationshipName})`,
      );
    }
    if (field.type === 'FieldTypeof') throw refuse(`TYPEOF is not supported in Bulk Query: TYPEOF ${field.field}`);
    if (field.type === 'FieldFunctionExpression' && field.isAggregateFn) {
      throw refuse(`Aggregate queries are not supported in Bulk Query: ${field.rawValue ?? field.functionName}`);
    }
  }
  if (query.groupBy) throw refuse('GROUP BY is not supported in Bulk Query');
  if (query.having) throw refuse('HAVING is not supported in Bulk Query');
  if (query.offset !== undefined) throw refuse('OFFSET is not supported in Bulk Query');
}
