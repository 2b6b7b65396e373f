// describeGlobal and describe bodies in the shape jsforce and sync engines read (reference
// §2.2). Fields hidden from the user by field-level security are absent, as in Salesforce.
import type { FieldDef, ObjectDef } from '../schema';
import type { OrgStore } from '../store/org-store';
import type { OrgUser } from '../users';

function urls(def: ObjectDef, v: string): Record<string, string> {
  const base = `/services/data/v${v}/sobjects/${def.name}`;
  return {
    compactLayouts: `${base}/describe/compactLayouts`,
    rowTemplate: `${base}/{ID}`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    describe: `${base}/describe`,
    sobject: base,
  };
}

function objectFlags(def: ObjectDef, v: string): Record<string, unknown> {
  return {
    activateable: false,
    createable: def.createable,
    custom: def.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: def.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: true,
    mergeable: def.mergeable,
    mruEnabled: true,
    name: def.name,
    queryable: def.queryable,
    replicateable: def.replicateable,
    retrieveable: def.retrieveable,
    searchable: def.searchable,
    triggerable: def.triggerable,
    undeletable: def.undeletable,
    updateable: def.updateable,
    urls: urls(def, v),
  };
}

/** The `GET /sobjects` body. */
export function describeGlobal(store: OrgStore, v: string): Record<string, unknown> {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: store.schema.objects.map((o) => objectFlags(o, v)) };
}

function soapType(f: FieldDef): string {
  switch (f.type) {
    case 'id':
    case 'reference':
      return 'tns:ID';
    case 'boolean':
      return 'xsd:boolean';
    case 'int':
      return 'xsd:int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'xsd:double';
    case 'date':
      return 'xsd:date';
    case 'datetime':
      return 'xsd:dateTime';
    case 'address':
      return 'urn:address';
    default:
      return 'xsd:string';
  }
}

/** One DescribeFieldResult. */
export function describeField(f: FieldDef): Record<string, unknown> {
  return {
    aggregatable: f.type !== 'textarea' && f.type !== 'address',
    autoNumber: f.autoNumber,
    byteLength: f.length * 3,
    calculated: f.calculated,
    calculatedFormula: f.calculatedFormula,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: f.compoundFieldName,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.type === 'boolean' ? f.defaultValue === true : null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.digits,
    externalId: f.externalId,
    filterable: f.filterable,
    groupable: f.type !== 'textarea' && f.type !== 'address' && f.type !== 'double' && f.type !== 'currency',
    htmlFormatted: false,
    idLookup: f.idLookup,
    label: f.label,
    length: f.length,
    name: f.name,
    nameField: f.name === 'Name',
    namePointing: f.referenceTo.length > 1,
    nillable: f.nillable,
    permissionable: f.nillable && !f.system,
    picklistValues: f.picklistValues,
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: f.precision,
    referenceTargetField: null,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    soapType: soapType(f),
    sortable: f.sortable,
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
  };
}

/** The `GET /sobjects/T/describe` body for `user` (fields under field-level security). */
export function describeSObject(store: OrgStore, user: OrgUser, def: ObjectDef, v: string): Record<string, unknown> {
  return {
    ...objectFlags(def, v),
    childRelationships: def.childRelationships.map((r) => ({
      cascadeDelete: r.cascadeDelete,
      childSObject: r.childSObject,
      deprecatedAndHidden: false,
      field: r.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: r.relationshipName,
      restrictedDelete: false,
    })),
    fields: store.visibleFields(user, def).map(describeField),
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `/services/data/v${v}/sobjects/${def.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    supportedScopes: [
      { label: 'All records', name: 'everything' },
      { label: 'My records', name: 'mine' },
    ],
  };
}

/** The `GET /sobjects/T` basic-info body. */
export function sobjectBasicInfo(def: ObjectDef, v: string): Record<string, unknown> {
  return { objectDescribe: objectFlags(def, v), recentItems: [] };
}
