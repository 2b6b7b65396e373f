// Resolves field paths (`Name`, `Owner.Name`, `Account.Owner.Email`, `What.Type`) against the
// schema under the user's field-level security, into getters that read a root row. Parents
// hidden by sharing read as null, as they do in Salesforce.
import type { FieldDef, ObjectDef, Row } from '../schema';
import { isFieldHidden } from '../users';
import { noSuchColumn, unknownRelationship } from './errors';
import { visibilityOf, type Getter, type QueryScope } from './scope';

/** A resolved field path. */
export interface ResolvedPath {
  /** Canonical dotted name, e.g. `Owner.Name`. */
  name: string;
  /** The leaf field (of the first target object that has it, for polymorphic hops). */
  field: FieldDef;
  /** Reads the raw stored value from a root row. */
  get: Getter;
}

const TYPE_FIELD: FieldDef = {
  name: 'Type',
  label: 'Object Type',
  type: 'picklist',
  length: 255,
  precision: 0,
  scale: 0,
  digits: 0,
  nillable: true,
  createable: false,
  updateable: false,
  defaultedOnCreate: false,
  calculated: false,
  calculatedFormula: null,
  externalId: false,
  unique: false,
  idLookup: false,
  custom: false,
  autoNumber: false,
  filterable: true,
  sortable: true,
  referenceTo: [],
  relationshipName: null,
  childRelationshipName: null,
  onParentDelete: 'clear',
  picklistValues: [],
  restrictedPicklist: false,
  compoundFieldName: null,
  components: null,
  defaultValue: null,
  system: true,
  compute: null,
  slot: -1,
};

/** A getter reading `f` from a row of its own object. */
export function fieldGetter(scope: QueryScope, f: FieldDef): Getter {
  if (f.compute) {
    const compute = f.compute;
    const store = scope.store;
    return (row) => compute(row, store);
  }
  const slot = f.slot;
  return (row) => row[slot] ?? null;
}

function hidden(scope: QueryScope, def: ObjectDef, f: FieldDef): boolean {
  return isFieldHidden(scope.user.profile, def.name, f.name);
}

/**
 * Resolves `parts` (already stripped of a leading object name or alias) on `def`.
 * `offset` locates the path in the query text for error messages.
 */
export function resolvePath(scope: QueryScope, def: ObjectDef, parts: string[], offset: number): ResolvedPath {
  const leafName = parts[parts.length - 1];
  if (parts.length === 1) {
    const f = def.fieldMap.get(leafName.toLowerCase());
    if (!f || hidden(scope, def, f)) throw noSuchColumn(scope.text, offset, leafName, def.name);
    return { name: f.name, field: f, get: fieldGetter(scope, f) };
  }
  const ref = def.relationshipMap.get(parts[0].toLowerCase());
  if (!ref || hidden(scope, def, ref)) throw unknownRelationship(scope.text, offset, parts[0]);
  const targets = ref.referenceTo.map((n) => scope.store.schema.object(n)).filter((d): d is ObjectDef => !!d);
  const refSlot = ref.slot;
  const store = scope.store;
  if (targets.length === 1) {
    const target = targets[0];
    const inner = resolvePath(scope, target, parts.slice(1), offset);
    const table = store.table(target.name);
    const visible = visibilityOf(scope, target);
    const innerGet = inner.get;
    return {
      name: `${ref.relationshipName}.${inner.name}`,
      field: inner.field,
      get: (row: Row) => {
        const id = row[refSlot];
        if (typeof id !== 'string') return null;
        const parent = table.rows.get(id);
        if (!parent || (visible && !visible(parent))) return null;
        return innerGet(parent);
      },
    };
  }
  // Polymorphic lookups (OwnerId, WhoId, WhatId) reach the common "Name" fields only.
  if (parts.length > 2) throw unknownRelationship(scope.text, offset, parts[1]);
  const lower = leafName.toLowerCase();
  if (lower === 'type') {
    return {
      name: `${ref.relationshipName}.Type`,
      field: TYPE_FIELD,
      get: (row) => {
        const id = row[refSlot];
        return typeof id === 'string' ? (store.schema.objectForId(id)?.name ?? null) : null;
      },
    };
  }
  const byPrefix = new Map<string, { getter: Getter; visible: ((row: Row) => boolean) | null; def: ObjectDef }>();
  let leaf: FieldDef | undefined;
  for (const t of targets) {
    const f = t.fieldMap.get(lower);
    if (!f || hidden(scope, t, f)) continue;
    leaf ??= f;
    byPrefix.set(t.keyPrefix, { getter: fieldGetter(scope, f), visible: visibilityOf(scope, t), def: t });
  }
  if (!leaf) throw noSuchColumn(scope.text, offset, leafName, 'Name');
  return {
    name: `${ref.relationshipName}.${leaf.name}`,
    field: leaf,
    get: (row) => {
      const id = row[refSlot];
      if (typeof id !== 'string') return null;
      const target = byPrefix.get(id.slice(0, 3));
      if (!target) return null;
      const parent = store.table(target.def.name).rows.get(id);
      if (!parent || (target.visible && !target.visible(parent))) return null;
      return target.getter(parent);
    },
  };
}
