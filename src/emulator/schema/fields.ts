// Small builders for field metadata, so object definitions read like a field list.
import type { FieldDef, FieldType, ParentDeleteBehavior, PicklistValue, Row, RowResolver } from './types';

/** Options shared by every field builder. */
export interface FieldOptions {
  /** Must be set on create (nillable false, not defaulted). */
  required?: boolean;
  createable?: boolean;
  updateable?: boolean;
  externalId?: boolean;
  unique?: boolean;
  defaultValue?: unknown;
  label?: string;
  system?: boolean;
  nillable?: boolean;
  defaultedOnCreate?: boolean;
  compoundFieldName?: string;
}

function base(name: string, type: FieldType, opts: FieldOptions = {}): FieldDef {
  const custom = name.endsWith('__c');
  const system = opts.system ?? false;
  const required = opts.required ?? false;
  return {
    name,
    label: opts.label ?? labelOf(name),
    type,
    length: 0,
    precision: 0,
    scale: 0,
    digits: 0,
    nillable: opts.nillable ?? (!required && type !== 'boolean'),
    createable: opts.createable ?? !system,
    updateable: opts.updateable ?? !system,
    defaultedOnCreate: opts.defaultedOnCreate ?? (system || type === 'boolean' || opts.defaultValue !== undefined),
    calculated: false,
    calculatedFormula: null,
    externalId: opts.externalId ?? false,
    unique: opts.unique ?? false,
    idLookup: type === 'id' || (opts.externalId ?? false),
    custom,
    autoNumber: false,
    filterable: type !== 'textarea' && type !== 'address',
    sortable: type !== 'textarea' && type !== 'address' && type !== 'multipicklist',
    referenceTo: [],
    relationshipName: null,
    childRelationshipName: null,
    onParentDelete: 'clear',
    picklistValues: [],
    restrictedPicklist: false,
    compoundFieldName: opts.compoundFieldName ?? null,
    components: null,
    defaultValue: opts.defaultValue ?? (type === 'boolean' ? false : null),
    system,
    compute: null,
    slot: -1,
  };
}

function labelOf(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/Id$/, ' ID')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

/** The record id field. */
export function idField(): FieldDef {
  return { ...base('Id', 'id', { system: true, label: 'Record ID' }), length: 18, nillable: false };
}

/** A text field of at most `length` characters; `type` may be email, phone, url or combobox. */
export function text(
  name: string,
  length: number,
  opts: FieldOptions = {},
  type: 'string' | 'email' | 'phone' | 'url' | 'combobox' = 'string',
): FieldDef {
  return { ...base(name, type, opts), length };
}

/** A long text area. */
export function textarea(name: string, length: number, opts: FieldOptions = {}): FieldDef {
  return { ...base(name, 'textarea', opts), length };
}

/** A picklist; `restricted` rejects values outside the list (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST). */
export function picklist(
  name: string,
  values: string[],
  opts: FieldOptions & { restricted?: boolean; default?: string } = {},
): FieldDef {
  const picklistValues: PicklistValue[] = values.map((value) => ({
    value,
    label: value,
    active: true,
    defaultValue: value === opts.default,
    validFor: null,
  }));
  return {
    ...base(name, 'picklist', { ...opts, defaultValue: opts.default ?? opts.defaultValue }),
    length: 255,
    picklistValues,
    restrictedPicklist: opts.restricted ?? false,
  };
}

/** A checkbox; never null, false unless set. */
export function bool(name: string, opts: FieldOptions = {}): FieldDef {
  return { ...base(name, 'boolean', { ...opts, nillable: false }), defaultValue: opts.defaultValue ?? false };
}

/** A number field: int, double, currency or percent with precision and scale. */
export function number(
  name: string,
  type: 'int' | 'double' | 'currency' | 'percent',
  precision: number,
  scale: number,
  opts: FieldOptions = {},
): FieldDef {
  const f = base(name, type, opts);
  if (type === 'int') return { ...f, digits: precision };
  return { ...f, precision, scale };
}

/** A date field (stored as days since the epoch). */
export function date(name: string, opts: FieldOptions = {}): FieldDef {
  return base(name, 'date', opts);
}

/** A datetime field (stored as whole epoch seconds). */
export function datetime(name: string, opts: FieldOptions = {}): FieldDef {
  return base(name, 'datetime', opts);
}

/** Options of a lookup. */
export interface ReferenceOptions extends FieldOptions {
  childRelationshipName?: string;
  onParentDelete?: ParentDeleteBehavior;
}

/** A lookup to one or more objects (several make it polymorphic, like OwnerId or WhoId). */
export function reference(
  name: string,
  referenceTo: string[],
  relationshipName: string,
  opts: ReferenceOptions = {},
): FieldDef {
  return {
    ...base(name, 'reference', opts),
    length: 18,
    referenceTo,
    relationshipName,
    childRelationshipName: opts.childRelationshipName ?? null,
    onParentDelete: opts.onParentDelete ?? 'clear',
  };
}

/** A read-only field computed at read time from the row; formulas never move SystemModstamp. */
export function formula(
  name: string,
  type: FieldType,
  calculatedFormula: string,
  compute: (row: Row, resolver: RowResolver) => unknown,
  extra: Partial<FieldDef> = {},
): FieldDef {
  return {
    ...base(name, type, { createable: false, updateable: false, nillable: true }),
    calculated: true,
    calculatedFormula,
    compute,
    defaultedOnCreate: false,
    ...extra,
  };
}

/** A read-only field derived by the system at read time but not a formula (e.g. Lead.Name). */
export function derived(
  name: string,
  type: FieldType,
  length: number,
  compute: (row: Row, resolver: RowResolver) => unknown,
): FieldDef {
  return { ...base(name, type, { createable: false, updateable: false }), length, compute };
}

/**
 * The street/city/state/postal code/country/latitude/longitude/geocode components of an
 * address plus the compound `address` field that reads them (describe lists both).
 */
export function address(prefix: string, compoundName: string): FieldDef[] {
  const c = { compoundFieldName: compoundName };
  const names = ['Street', 'City', 'State', 'PostalCode', 'Country', 'Latitude', 'Longitude', 'GeocodeAccuracy'].map(
    (n) => prefix + n,
  );
  const components: FieldDef[] = [
    textarea(names[0], 255, c),
    text(names[1], 40, c),
    text(names[2], 80, c),
    text(names[3], 20, c),
    text(names[4], 80, c),
    number(names[5], 'double', 18, 15, c),
    number(names[6], 'double', 18, 15, c),
    picklist(
      names[7],
      [
        'Address',
        'NearAddress',
        'Block',
        'Street',
        'ExtendedZip',
        'Zip',
        'Neighborhood',
        'City',
        'County',
        'State',
        'Unknown',
      ],
      c,
    ),
  ];
  const compound: FieldDef = {
    ...base(compoundName, 'address', { createable: false, updateable: false }),
    components: names,
    filterable: false,
    sortable: false,
  };
  return [...components, compound];
}
