// The schema registry: resolves object specs into `ObjectDef`s (storage slots, lookup maps,
// child relationships) once, and answers lookups by name or key prefix, case-insensitively
// as Salesforce does.
import { OBJECT_SPECS, type ObjectSpec } from './objects';
import type { ChildRelationship, FieldDef, ObjectDef, Row } from './types';

export type * from './types';
export { LEAD_STATUSES, OPPORTUNITY_STAGES, DEFAULT_CAMPAIGN_STATUSES } from './objects';

function build(spec: ObjectSpec): ObjectDef {
  const fields = spec.fields.map((f) => ({ ...f }));
  let slot = 0;
  for (const f of fields) {
    if (!f.compute && f.type !== 'address') f.slot = slot++;
  }
  const fieldMap = new Map(fields.map((f) => [f.name.toLowerCase(), f] as const));
  for (const f of fields) {
    if (f.type === 'address' && f.components) {
      const slots = f.components.map((c) => fieldMap.get(c.toLowerCase())!.slot);
      f.compute = (row: Row) => addressValue(row, slots);
    }
  }
  const relationshipMap = new Map<string, FieldDef>();
  for (const f of fields) if (f.relationshipName) relationshipMap.set(f.relationshipName.toLowerCase(), f);
  return {
    name: spec.name,
    label: spec.label,
    labelPlural: spec.labelPlural,
    keyPrefix: spec.keyPrefix,
    custom: spec.name.endsWith('__c'),
    createable: spec.createable ?? true,
    updateable: spec.updateable ?? true,
    deletable: spec.deletable ?? true,
    undeletable: spec.undeletable ?? spec.deletable ?? true,
    mergeable: spec.mergeable ?? false,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    triggerable: true,
    sharing: spec.sharing,
    fields,
    fieldMap,
    relationshipMap,
    childRelationships: [],
    storedSlots: slot,
    deleteRootSlot: slot,
    rowLength: slot + 1,
  };
}

// An address reads as null when every component is null, as the REST API sends it.
function addressValue(row: Row, slots: number[]): unknown {
  const [street, city, state, postalCode, country, latitude, longitude, geocodeAccuracy] = slots.map(
    (s) => row[s] ?? null,
  );
  if ([street, city, state, postalCode, country, latitude, longitude].every((v) => v === null)) return null;
  return { city, country, geocodeAccuracy, latitude, longitude, postalCode, state, street };
}

/** All object definitions of the org, with lookups by name and key prefix. */
export class Schema {
  readonly objects: ObjectDef[];
  private readonly byName = new Map<string, ObjectDef>();
  private readonly byPrefix = new Map<string, ObjectDef>();

  constructor(specs: ObjectSpec[] = OBJECT_SPECS) {
    this.objects = specs.map(build);
    for (const o of this.objects) {
      this.byName.set(o.name.toLowerCase(), o);
      this.byPrefix.set(o.keyPrefix, o);
    }
    for (const child of this.objects) {
      for (const f of child.fields) {
        for (const parentName of f.referenceTo) {
          const parent = this.byName.get(parentName.toLowerCase());
          if (!parent || f.system) continue;
          const rel: ChildRelationship = {
            childSObject: child.name,
            field: f.name,
            relationshipName: f.childRelationshipName,
            cascadeDelete: f.onParentDelete === 'cascade',
          };
          parent.childRelationships.push(rel);
        }
      }
    }
  }

  /** The object named `name` (any case), or undefined. */
  object(name: string): ObjectDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The object whose key prefix starts `id`, or undefined. */
  objectForId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }
}
