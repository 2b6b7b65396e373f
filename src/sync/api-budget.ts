/**
 * The API budget, pure: Salesforce reports daily usage on every REST reply as
 * `Sforce-Limit-Info: api-usage=N/M`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm); jsforce
 * parses it into `conn.limitInfo.apiUsage`, raw requests (Bulk result pages) read the header with this
 * parser. The last usage is kept in PostgreSQL (db/state.ts) and slows cycles above the budget share.
 */

/** Daily API usage as last reported by Salesforce. */
export interface ApiUsage {
  used: number;
  limit: number;
}

/** Parses a `Sforce-Limit-Info` header value; undefined when it carries no api-usage. */
export function parseLimitInfo(header: string | null | undefined): ApiUsage | undefined {
  if (!header) return undefined;
  const match = /api-usage=(\d+)\/(\d+)/.exec(header);
  if (!match) return undefined;
  return { used: Number(match[1]), limit: Number(match[2]) };
}

/** True when usage is above `share` of the daily limit (the point where cycles slow down). */
export function isOverBudget(usage: ApiUsage | undefined, share: number): boolean {
  if (!usage || usage.limit <= 0) return false;
  return usage.used / usage.limit > share;
}
