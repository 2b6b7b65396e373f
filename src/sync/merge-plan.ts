/**
 * How one two-way object's fields merge: the columns the capture tracks, each with its field and kind,
 * and the conflict rule of each field (the object's default, overridden by `sync.conflictRules`). Pure;
 * used by the pull's merge of rows with pending changes and by the push (never-push columns).
 */
import type { ObjectDefinition } from '../objects';
import { captureSpec } from './capture-spec';
import { resolveRules, type ConflictRule, type MergeColumn, type ObjectConflictRules } from './merge';
import type { ColumnSpec } from './type-mapping';

/** The tracked columns of one object and the rule of each field. */
export interface MergePlan {
  columns: MergeColumn[];
  rule(field: string): ConflictRule;
}

/** The merge plan of `def` from its columns and its configured rules (throws ConflictRuleError on a bad field name). */
export function mergePlan(
  def: ObjectDefinition,
  columns: readonly ColumnSpec[],
  configured: ObjectConflictRules | undefined,
): MergePlan {
  const tracked = new Set(captureSpec(def.name, columns).tracked);
  const mergeColumns = columns
    .filter((c) => tracked.has(c.column))
    .map((c) => ({ column: c.column, field: c.field, kind: c.kind }));
  const rule = resolveRules(
    def.name,
    def.push?.conflictDefault ?? 'salesforce-wins',
    configured,
    columns.filter((c) => c.field !== '').map((c) => c.field),
  );
  return { columns: mergeColumns, rule };
}
