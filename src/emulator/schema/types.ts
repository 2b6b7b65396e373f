// Types of the emulator's object metadata. One `FieldDef` carries both what describe reports
// (Salesforce's DescribeFieldResult keys, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm) and how the store keeps the value.

/** The describe `type` of a field. */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url'
  | 'address';

/** One picklist entry as describe reports it. */
export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
  validFor: null;
}

/** What happens to a child row when the parent its reference points to is deleted. */
export type ParentDeleteBehavior = 'cascade' | 'clear';

/**
 * A stored row: values in slot order (see `FieldDef.slot`), then the object's internal slots.
 * Strings for text, ids and picklists; whole epoch seconds for datetimes; days since the epoch
 * for dates; numbers; booleans; null. Rows are replaced, never mutated, once stored, so a query
 * cursor that holds a row keeps the version it read.
 */
export type Row = unknown[];

/** Resolves ids and fields for formulas that read other records. */
export interface RowResolver {
  /** The stored row with this 18-character id in any object, or undefined. */
  findRow(id: unknown): Row | undefined;
  /** The value of `field` on a row of object `objectName` (formulas included). */
  read(objectName: string, row: Row, field: string): unknown;
}

/** Metadata of one field. */
export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Max characters for text types, 0 otherwise. */
  length: number;
  precision: number;
  scale: number;
  digits: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  calculated: boolean;
  calculatedFormula: string | null;
  externalId: boolean;
  unique: boolean;
  idLookup: boolean;
  custom: boolean;
  autoNumber: boolean;
  filterable: boolean;
  sortable: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** Name of the parent's child relationship (e.g. `Contacts` for Contact.AccountId). */
  childRelationshipName: string | null;
  onParentDelete: ParentDeleteBehavior;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  /** The compound field this one is a component of (e.g. `Address` for `Street`). */
  compoundFieldName: string | null;
  /** For an address: its component field names (street, city, state, postalCode, country, latitude, longitude, geocodeAccuracy). */
  components: string[] | null;
  /** Stored value used when a create leaves the field out; null means none. */
  defaultValue: unknown;
  /** Set by the system only (Id, audit fields, IsDeleted …); never accepted from a client. */
  system: boolean;
  /** Computes a read-time value (formula, address, derived name); absent for stored fields. */
  compute: ((row: Row, resolver: RowResolver) => unknown) | null;
  /** Index in the stored row; -1 for computed fields. */
  slot: number;
}

/** How the emulator decides whether a user can see a row. */
export type SharingModel = { kind: 'public' } | { kind: 'owner' } | { kind: 'parent'; field: string };

/** A child relationship as describe reports it on the parent. */
export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
}

/** Metadata of one sObject type. */
export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  undeletable: boolean;
  mergeable: boolean;
  queryable: boolean;
  replicateable: boolean;
  retrieveable: boolean;
  searchable: boolean;
  triggerable: boolean;
  sharing: SharingModel;
  fields: FieldDef[];
  /** Lower-cased field name → field. */
  fieldMap: Map<string, FieldDef>;
  /** Lower-cased relationship name → the reference field. */
  relationshipMap: Map<string, FieldDef>;
  childRelationships: ChildRelationship[];
  /** Number of stored slots (fields), before the internal slots. */
  storedSlots: number;
  /** Internal slot: the id of the record whose delete also deleted this one (cascade), for undelete. */
  deleteRootSlot: number;
  /** Total row length. */
  rowLength: number;
}
