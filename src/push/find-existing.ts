/**
 * Finds a record already in Salesforce by the object's natural key (objects/<object>.ts `insertKey`),
 * for objects without Tandem's external-id field: a retried insert whose first outcome was lost, or an
 * insert refused because the record exists.
 */
import type { SalesforceClient } from '../salesforce/connection';
import { queryPages } from '../salesforce/rest-query';
import { buildSelect, type SoqlCondition } from '../salesforce/soql';
import type { PushPlan } from './types';

/** The natural-key conditions of `row` (an absent value must be null), empty when the table has no key field. */
export function insertKeyConditions(plan: Pick<PushPlan, 'insertKey'>, row: Record<string, unknown>): SoqlCondition[] {
  return plan.insertKey.map((field) => {
    const value = row[field.toLowerCase()];
    return { field, op: '=', value: value === undefined || value === null ? null : typeof value === 'number' || typeof value === 'boolean' ? value : String(value) };
  });
}

/** The id of the one record matching `row`'s natural key (among those the sync user created, with `createdByMe`); null unless exactly one. */
export async function findByInsertKey(client: SalesforceClient, plan: Pick<PushPlan, 'def' | 'insertKey'>, row: Record<string, unknown>, createdByMe: boolean): Promise<string | null> {
  const where = insertKeyConditions(plan, row);
  if (where.length === 0) return null;
  const me = (client.conn as { userInfo?: { id?: string } }).userInfo?.id;
  if (createdByMe && me) where.push({ field: 'CreatedById', op: '=', value: me });
  const ids: string[] = [];
  for await (const page of queryPages(client, buildSelect({ object: plan.def.name, fields: ['Id'], where, limit: 2 }))) {
    for (const r of page.records) ids.push(String(r.Id));
  }
  return ids.length === 1 ? ids[0]! : null;
}
