/**
 * Which record a marketing row's edits belong to when it no longer stands for its own, and what they
 * change there. Pure. A row linked to an existing record (by email, or to the pulled copy of its own
 * insert) and a row in one of its object's redirect states (a converted lead: objects/lead.ts) send
 * their edits to that record and they win; a merge loser's edits only fill its master's blanks, since a
 * value beats an empty one.
 */
import { PUSH_COLUMNS } from '../db/push-columns';
import { canonical, fillBlanks } from '../sync/merge';
import type { ValueKind } from '../sync/type-mapping';
import type { PushPlan } from './types';

/** How a row's values reach the record that receives them. */
export type RedirectMode = 'overwrite' | 'fill-blanks';

/** Where a row's edits go instead, and why. */
export interface RedirectTarget {
  sfid: string;
  why: string;
  mode: RedirectMode;
}

/** The record `row`'s edits belong to instead of its own, or null when they are its own. */
export function redirectTarget(plan: Pick<PushPlan, 'redirects'>, row: Record<string, unknown>): RedirectTarget | null {
  const linked = row[PUSH_COLUMNS.linkedTo];
  if (typeof linked === 'string') return { sfid: linked, why: 'linked by email', mode: 'overwrite' };
  for (const rule of plan.redirects) {
    const target = row[rule.target];
    if (row[rule.flag] === true && typeof target === 'string')
      return { sfid: target, why: rule.why, mode: 'overwrite' };
  }
  if (row.isdeleted === true && typeof row.masterrecordid === 'string')
    return { sfid: row.masterrecordid, why: 'merged in Salesforce', mode: 'fill-blanks' };
  return null;
}

/** The columns `source` holds that a redirect may write into the target: tracked and updateable there. */
export function writableInTarget(
  columns: Iterable<string>,
  target: { tracked: readonly string[]; notUpdateable: readonly (readonly [string, string])[] },
): string[] {
  const notUpdateable = new Set(target.notUpdateable.map(([c]) => c));
  return [...columns].filter((c) => target.tracked.includes(c) && !notUpdateable.has(c));
}

/**
 * The values to write into the target row: with `overwrite` every column whose value differs (compared
 * canonically by kind), with `fill-blanks` only the target's blank ones.
 */
export function valuesForTarget(
  mode: RedirectMode,
  source: Record<string, unknown>,
  target: Record<string, unknown>,
  columns: readonly string[],
  kinds: ReadonlyMap<string, ValueKind>,
): Record<string, unknown> {
  if (mode === 'fill-blanks') return fillBlanks(target, source, columns);
  const values: Record<string, unknown> = {};
  for (const c of columns)
    if (canonical(kinds.get(c)!, source[c]) !== canonical(kinds.get(c)!, target[c])) values[c] = source[c] ?? null;
  return values;
}
