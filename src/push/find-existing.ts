/**
 * Finds a record already in Salesforce by the object's natural key (objects/<object>.ts `insertKey`),
 * for objects without Tandem's external-id field: a retried insert whose first outcome was lost, or an
 * insert refused because the record exists.
 */
import type { SalesforceClient } from '../salesforce/connection';
import { queryPages } from '../salesforce/rest-query';
import { buildSelect, type SoqlCondition } from '../salesforce/soql';
import type { PushPlan } from './types';

/**
 * How far before the first send a record the lost attempt created may be stamped: CreatedDate is
 * Salesforce's clock, the send time the worker's; NTP keeps them well within this.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** A lost insert's candidates are few (same key, same user, since the send); more means the key is too weak to tell. */
const MAX_CANDIDATES = 50;

/** The Id of the user `client` is logged in as, when the login reported it. */
export function syncUserId(client: SalesforceClient): string | null {
  return (client.conn as { userInfo?: { id?: string } }).userInfo?.id ?? null;
}

/** The natural-key conditions of `row` (an absent value must be null), empty when the table has no key field. */
export function insertKeyConditions(plan: Pick<PushPlan, 'insertKey'>, row: Record<string, unknown>): SoqlCondition[] {
  return plan.insertKey.map((field) => {
    const value = row[field.toLowerCase()];
    return {
      field,
      op: '=',
      value:
        value === undefined || value === null
          ? null
          : typeof value === 'number' || typeof value === 'boolean'
            ? value
            : String(value),
    };
  });
}

/** The id of the one record matching `row`'s natural key (among those the sync user created, with `createdByMe`); null unless exactly one. */
export async function findByInsertKey(
  client: SalesforceClient,
  plan: Pick<PushPlan, 'def' | 'insertKey'>,
  row: Record<string, unknown>,
  createdByMe: boolean,
): Promise<string | null> {
  const where = insertKeyConditions(plan, row);
  if (where.length === 0) return null;
  const me = syncUserId(client);
  if (createdByMe && me) where.push({ field: 'CreatedById', op: '=', value: me });
  const ids: string[] = [];
  for await (const page of queryPages(
    client,
    buildSelect({ object: plan.def.name, fields: ['Id'], where, limit: 2 }),
  )) {
    for (const r of page.records) ids.push(String(r.Id));
  }
  return ids.length === 1 ? ids[0]! : null;
}

/** What a lost insert left behind: when it was first sent, and by whom. */
export interface LostAttempt {
  sentAt: Date;
  sentBy: string;
}

/**
 * The records a lost insert of `row` may have created, oldest first: same natural key, created by the
 * user that sent it, no earlier than the send (less the clock skew). A natural key such as a Campaign's
 * Name is not unique, so the caller still removes those another row already holds.
 */
export async function findLostInsertCandidates(
  client: SalesforceClient,
  plan: Pick<PushPlan, 'def' | 'insertKey'>,
  row: Record<string, unknown>,
  attempt: LostAttempt,
): Promise<string[]> {
  const where = insertKeyConditions(plan, row);
  if (where.length === 0) return [];
  where.push({ field: 'CreatedById', op: '=', value: attempt.sentBy });
  where.push({ field: 'CreatedDate', op: '>=', value: new Date(attempt.sentAt.getTime() - CLOCK_SKEW_MS) });
  const ids: string[] = [];
  for await (const page of queryPages(
    client,
    buildSelect({
      object: plan.def.name,
      fields: ['Id'],
      where,
      orderBy: ['CreatedDate', 'Id'],
      limit: MAX_CANDIDATES,
    }),
  )) {
    for (const r of page.records) ids.push(String(r.Id));
  }
  return ids;
}

/** The first candidate no other row holds (`taken`), and not one handed to an earlier row of this push; null when none. */
export function pickUnclaimed(candidates: readonly string[], taken: ReadonlySet<string>): string | null {
  return candidates.find((id) => !taken.has(id)) ?? null;
}
