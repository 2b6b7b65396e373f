/**
 * What one row's open outbox entries become, collapsed: one delete, insert or update (the union of the
 * changed columns with the row's current values — Heroku Connect's "merged writes"), or no call at all.
 * Pure; src/push/collapse.ts carries the decisions out.
 */
import type { OutboxEntry } from '../db/outbox';
import { redirectTarget } from './redirect-rules';
import type { PushPlan } from './types';

/** What a row's entries become. */
export type RowAction =
  /** Close the entries without a call (`deleteNotPropagated`: a delete kept local by `sync.pushDeletes`). */
  | { kind: 'close'; status: 'superseded' | 'skipped'; note: string; deleteNotPropagated: boolean }
  | { kind: 'delete'; sfid: string }
  /** The row's edits belong to another record not synced yet: they stay pending. */
  | { kind: 'wait' }
  | { kind: 'insert'; send: Record<string, unknown> }
  | { kind: 'update'; sfid: string; send: Record<string, unknown> }
  /** The record was deleted in Salesforce: the change cannot be applied (a sync error). */
  | { kind: 'gone'; sfid: string };

/** A row's action, and the never-push columns to drop from its entries first. */
export interface RowDecision {
  dropNeverPush: string[];
  action: RowAction;
}

type PlanView = Pick<PushPlan, 'def' | 'pushDeletes' | 'neverPush' | 'createable' | 'updateable' | 'redirects'>;

/** Decides one row's push from its open entries (oldest first) and its current values (undefined: the row is gone). */
export function decideRow(
  plan: PlanView,
  entries: readonly OutboxEntry[],
  row: Record<string, unknown> | undefined,
): RowDecision {
  const last = entries[entries.length - 1]!;
  if (last.operation === 'delete' || !row) return { dropNeverPush: [], action: deleteAction(plan, entries, row) };
  if (redirectTarget(plan, row)) return { dropNeverPush: [], action: { kind: 'wait' } };
  const changed = [...new Set(entries.flatMap((e) => Object.keys(e.changed)))];
  const dropNeverPush = changed.filter((c) => plan.neverPush.has(c));
  const sfid = typeof row.sfid === 'string' ? row.sfid : null;
  if (!sfid) {
    const send: Record<string, unknown> = {};
    for (const c of plan.createable)
      if (!plan.neverPush.has(c) && row[c] !== null && row[c] !== undefined) send[c] = row[c];
    return { dropNeverPush, action: { kind: 'insert', send } };
  }
  if (row.isdeleted === true) return { dropNeverPush, action: { kind: 'gone', sfid } };
  const send: Record<string, unknown> = {};
  for (const e of entries)
    for (const c of Object.keys(e.changed))
      if (plan.updateable.has(c) && !plan.neverPush.has(c)) send[c] = row[c] ?? null;
  if (Object.keys(send).length === 0)
    return {
      dropNeverPush,
      action: { kind: 'close', status: 'superseded', note: 'nothing left to send', deleteNotPropagated: false },
    };
  return { dropNeverPush, action: { kind: 'update', sfid, send } };
}

/** A deleted row: delete the record when the object pushes deletes and the record exists. */
function deleteAction(
  plan: PlanView,
  entries: readonly OutboxEntry[],
  row: Record<string, unknown> | undefined,
): RowAction {
  const sfid =
    entries
      .map((e) => e.sfid)
      .filter((s): s is string => s !== null)
      .pop() ?? (typeof row?.sfid === 'string' ? row.sfid : null);
  if (!sfid)
    return {
      kind: 'close',
      status: 'superseded',
      note: 'deleted before it reached Salesforce',
      deleteNotPropagated: false,
    };
  if (plan.pushDeletes) return { kind: 'delete', sfid };
  return {
    kind: 'close',
    status: 'skipped',
    note: `deleted on the marketing side only: sync.pushDeletes.${plan.def.name} is off, so the Salesforce record stays (as Marketo)`,
    deleteNotPropagated: true,
  };
}
