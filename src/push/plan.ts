/**
 * The push plan of one object: which of its described columns are pushed on insert and on update,
 * which never are (conflict rule `never-push`), the external-id column of idempotent inserts, and the
 * object's own push rules (objects/<object>.ts `push`) resolved against its table and the config. Pure.
 */
import type { TandemConfig } from '../config';
import type { ObjectDefinition } from '../objects';
import { captureSpec } from '../sync/capture-spec';
import { mergePlan } from '../sync/merge-plan';
import type { ColumnSpec } from '../sync/type-mapping';
import type { PushPlan } from './types';

/** Builds the push plan of `def` from its described columns, its table and the config. */
export function pushPlan(
  config: TandemConfig,
  def: ObjectDefinition,
  state: { tableName: string; columns: ColumnSpec[] },
): PushPlan {
  const spec = captureSpec(def.name, state.columns);
  const tracked = new Set(spec.tracked);
  const notCreateable = new Set(spec.notCreateable.map(([c]) => c));
  const notUpdateable = new Set(spec.notUpdateable.map(([c]) => c));
  const merge = mergePlan(def, state.columns, config.sync.conflictRules[def.name]);
  const byColumn = new Map(state.columns.map((c) => [c.column, c]));
  const extName = config.sync.externalIdField.toLowerCase();
  const ext =
    state.columns.find((c) => c.field.toLowerCase() === extName && c.createable !== false && c.externalId !== false) ??
    null;
  const rules = def.push;
  return {
    def,
    schema: config.database.schema,
    table: state.tableName,
    columns: state.columns,
    byColumn,
    tracked,
    createable: new Set(spec.tracked.filter((c) => !notCreateable.has(c))),
    updateable: new Set(spec.tracked.filter((c) => !notUpdateable.has(c))),
    neverPush: new Set(merge.columns.filter((c) => merge.rule(c.field) === 'never-push').map((c) => c.column)),
    externalId: ext,
    pushDeletes: config.sync.pushDeletes[def.name] ?? rules?.pushDeletes ?? false,
    merge,
    redirects: (rules?.redirects ?? []).filter((r) => byColumn.has(r.flag) && byColumn.has(r.target)),
    linkByEmail: config.sync.dedupeLeadsByEmail ? (rules?.linkByEmail ?? []) : [],
    allowedValues: rules?.allowedValues ?? null,
    adoptOnDuplicateValue: rules?.adoptOnDuplicateValue ?? null,
    insertKey: (rules?.insertKey ?? []).filter((f) => byColumn.has(f.toLowerCase())),
  };
}
