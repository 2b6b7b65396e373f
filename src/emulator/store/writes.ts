// Record writes with Salesforce's save-time checks, in the order the platform applies them:
// field access (INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE), types and lengths
// (STRING_TOO_LONG …), restricted picklists, lookups, required fields, validation rules,
// unique/external-id values (DUPLICATE_VALUE), then duplicate rules (DUPLICATES_DETECTED).
// Deletes cascade and clear lookups; every system-side change bumps SystemModstamp.
import { RecordWriteError, recordError, type RecordError } from '../errors';
import { normalizeId } from '../ids';
import type { FieldDef, ObjectDef, Row } from '../schema';
import type { OrgUser } from '../users';
import { coerceInput } from '../values';
import type { OrgStore, SaveResult, WriteOp } from './org-store';
import { afterInsert, beforeSave, duplicateRule, validationRules } from './rules';
import type { Table } from './table';
import type { Transaction } from './transaction';

/** Options that change how writes behave. */
export interface WriteOptions {
  /** `Sforce-Duplicate-Rule-Header: allowSave=true`: save despite a duplicate-rule match. */
  allowDuplicates?: boolean;
  /** Stamp the write with this time (epoch seconds) instead of now — a late commit. */
  stampSeconds?: number;
}

function fail(statusCode: string, message: string, fields: string[] = []): never {
  throw new RecordWriteError([recordError(statusCode, message, fields)]);
}

/** Performs writes as one user inside one transaction; throws RecordWriteError for a rejected record. */
export class RecordWriter {
  /** The time this writer stamps (epoch seconds). */
  readonly now: number;

  constructor(
    readonly store: OrgStore,
    readonly user: OrgUser,
    readonly txn: Transaction,
    readonly options: WriteOptions = {},
  ) {
    this.now = options.stampSeconds ?? store.clock.nowSeconds();
  }

  /** Applies one op and returns its SaveResult. */
  apply(op: WriteOp): SaveResult {
    switch (op.op) {
      case 'create':
        return { id: this.create(this.objectDef(op.type), op.values), success: true, errors: [] };
      case 'update':
        return { id: this.update(op.id, op.values, op.type), success: true, errors: [] };
      case 'upsert': {
        const r = this.upsert(this.objectDef(op.type), op.externalIdField, op.externalId, op.values);
        return { id: r.id, success: true, errors: [], created: r.created };
      }
      case 'delete':
        return { id: this.delete(op.id, op.type), success: true, errors: [] };
      case 'undelete':
        return { id: this.undelete(op.id), success: true, errors: [] };
      case 'hardDelete':
        return { id: this.hardDelete(op.id, op.type), success: true, errors: [] };
    }
  }

  /** The object named `type`, or INVALID_TYPE. */
  objectDef(type: string): ObjectDef {
    const def = this.store.schema.object(type);
    if (!def) fail('INVALID_TYPE', `sObject type '${type}' is not supported.`);
    return def;
  }

  /** Inserts a record from client values and returns its id. */
  create(def: ObjectDef, values: Record<string, unknown>): string {
    if (!def.createable) fail('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${def.name}`);
    const table = this.store.table(def.name);
    const row: Row = new Array(def.rowLength).fill(null);
    for (const f of def.fields) if (f.slot >= 0) row[f.slot] = f.defaultValue ?? null;
    const changed = this.assign(def, row, values, 'create');
    const id = this.store.newId(def);
    row[table.idSlot] = id;
    const owner = def.fieldMap.get('ownerid');
    if (owner && row[owner.slot] === null) row[owner.slot] = this.user.id;
    this.stampCreate(def, row);
    this.checkAndSave(table, id, row, undefined, changed);
    afterInsert(this, def, id);
    return id;
  }

  /** Updates a record from client values and returns its id. */
  update(rawId: string, values: Record<string, unknown>, type?: string): string {
    const { table, id, row: old } = this.existing(rawId, type);
    const def = table.def;
    if (!def.updateable) fail('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${def.name}`);
    const row = old.slice();
    const changed = this.assign(def, row, values, 'update');
    this.stampUpdate(def, row);
    this.checkAndSave(table, id, row, old, changed);
    return id;
  }

  /** Inserts or updates the record whose external id `field` equals `value`. */
  upsert(
    def: ObjectDef,
    fieldName: string,
    value: unknown,
    values: Record<string, unknown>,
  ): { id: string; created: boolean } {
    const field = def.fieldMap.get(fieldName.toLowerCase());
    if (!field || !this.store.fieldVisible(this.user, def, field)) {
      fail('INVALID_FIELD', `Provided external ID field does not exist or is not accessible: ${fieldName}`, [
        fieldName,
      ]);
    }
    if (field.name === 'Id') {
      const id = value === null || value === undefined || value === '' ? null : normalizeId(value);
      if (value && !id) fail('MALFORMED_ID', `Id: id value of incorrect type: ${String(value)}`, ['Id']);
      if (id) return { id: this.update(id, values, def.name), created: false };
      return { id: this.create(def, values), created: true };
    }
    if (!field.externalId) fail('INVALID_FIELD', `Field ${field.name} is not an External ID or Id field`, [field.name]);
    if (value === null || value === undefined || value === '') {
      fail('MISSING_ARGUMENT', `${field.name} not specified`, [field.name]);
    }
    const table = this.store.table(def.name);
    const visible = this.store.visibilityFilter(this.user, def);
    const matches = table.lookup(field.slot, String(value)).filter((id) => !visible || visible(table.rows.get(id)!));
    if (matches.length > 1) {
      throw new RecordWriteError([
        {
          ...recordError(
            'DUPLICATE_EXTERNAL_ID',
            `${field.label}: more than one record found for external id field: [${matches.join(', ')}]`,
            [field.name],
          ),
          extra: { matches },
        },
      ]);
    }
    const withKey = { ...values, [field.name]: value };
    if (matches.length === 1) return { id: this.update(matches[0], withKey, def.name), created: false };
    return { id: this.create(def, withKey), created: true };
  }

  /** Moves a record (and its cascade children) to the recycle bin; returns its id. */
  delete(rawId: string, type?: string): string {
    const { table, id, row } = this.existing(rawId, type);
    if (!table.def.deletable)
      fail('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${table.def.name}`);
    this.softDelete(table, id, row, id);
    return id;
  }

  /** Restores a record from the recycle bin with the children its delete took along. */
  undelete(rawId: string): string {
    const id = normalizeId(rawId);
    if (!id) fail('MALFORMED_ID', `malformed id ${rawId}`);
    const table = this.store.tableForId(id);
    const row = table?.rows.get(id);
    if (!table || !row || !this.store.canSee(this.user, table.def, row))
      fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    if (!table.isDeleted(row)) fail('UNDELETE_FAILED', 'Entity is not in the recycle bin');
    if (!table.def.undeletable)
      fail('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${table.def.name}`);
    this.restore(table, id, row, id);
    return id;
  }

  /** Deletes a record for good (Bulk hardDelete, emptyRecycleBin): it disappears from queryAll and stays only in getDeleted. */
  hardDelete(rawId: string, type?: string): string {
    const id = normalizeId(rawId);
    if (!id) fail('MALFORMED_ID', `malformed id ${rawId}`);
    const table = this.store.tableForId(id);
    const row = table?.rows.get(id);
    if (
      !table ||
      !row ||
      (type && table.def.name.toLowerCase() !== type.toLowerCase()) ||
      !this.store.canSee(this.user, table.def, row)
    ) {
      fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    }
    if (!table.isDeleted(row)) this.softDelete(table, id, row, id);
    this.purgeTree(table, id);
    return id;
  }

  /** Writes a system-side change (cascade, re-parent, convert) to an existing row, bumping only SystemModstamp. */
  systemUpdate(table: Table, id: string, changes: Record<string, unknown>, opts: { userEdit?: boolean } = {}): Row {
    const old = table.rows.get(id);
    if (!old) fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    const row = old.slice();
    for (const [name, value] of Object.entries(changes)) row[table.def.fieldMap.get(name.toLowerCase())!.slot] = value;
    if (opts.userEdit) this.stampUpdate(table.def, row);
    else row[table.modstampSlot] = this.now;
    this.txn.put(table, id, row);
    return row;
  }

  /** Inserts a row built by the system (e.g. default campaign statuses) without client-field checks. */
  systemInsert(def: ObjectDef, values: Record<string, unknown>): string {
    const table = this.store.table(def.name);
    const row: Row = new Array(def.rowLength).fill(null);
    for (const f of def.fields) if (f.slot >= 0) row[f.slot] = f.defaultValue ?? null;
    for (const [name, value] of Object.entries(values)) row[def.fieldMap.get(name.toLowerCase())!.slot] = value;
    const id = this.store.newId(def);
    row[table.idSlot] = id;
    const owner = def.fieldMap.get('ownerid');
    if (owner && row[owner.slot] === null) row[owner.slot] = this.user.id;
    this.stampCreate(def, row);
    this.txn.put(table, id, row);
    return id;
  }

  /** Finds a live, visible record by 15/18-character id, or throws the per-record error Salesforce gives. */
  existing(rawId: string, type?: string): { table: Table; id: string; row: Row } {
    const id = normalizeId(rawId);
    if (!id) fail('MALFORMED_ID', `malformed id ${rawId}`);
    const table = this.store.tableForId(id);
    if (type && table && table.def.name.toLowerCase() !== type.toLowerCase()) {
      fail('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`);
    }
    const row = table?.rows.get(id);
    if (!table || !row || !this.store.canSee(this.user, table.def, row)) {
      fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    }
    if (table.isDeleted(row)) fail('ENTITY_IS_DELETED', 'entity is deleted');
    return { table, id, row };
  }

  private assign(def: ObjectDef, row: Row, values: Record<string, unknown>, mode: 'create' | 'update'): Set<FieldDef> {
    const changed = new Set<FieldDef>();
    const errors: RecordError[] = [];
    const notWritable: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      if (key === 'attributes' || value === undefined) continue;
      if (key.toLowerCase() === 'id') {
        if (mode === 'create' && value !== null)
          fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
        continue;
      }
      const field = def.fieldMap.get(key.toLowerCase());
      if (!field || !this.store.fieldVisible(this.user, def, field)) {
        fail('INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`, [key]);
      }
      if (mode === 'create' ? !field.createable : !field.updateable) {
        notWritable.push(field.name);
        continue;
      }
      const coerced = coerceInput(field, value);
      if (!coerced.ok) {
        errors.push(coerced.error);
        continue;
      }
      row[field.slot] = coerced.value;
      changed.add(field);
    }
    if (notWritable.length > 0) {
      fail(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to ${mode} fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable,
      );
    }
    if (errors.length > 0) throw new RecordWriteError(errors);
    return changed;
  }

  private checkAndSave(table: Table, id: string, row: Row, old: Row | undefined, changed: Set<FieldDef>): void {
    const def = table.def;
    beforeSave(this, def, row, old, changed);
    for (const f of changed) {
      const v = row[f.slot];
      if (f.type === 'picklist' && f.restrictedPicklist && v !== null && !f.picklistValues.some((p) => p.value === v)) {
        fail(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${f.label}: bad value for restricted picklist field: ${String(v)}`,
          [f.name],
        );
      }
      if (f.type === 'reference' && v !== null) this.checkReference(f, v as string);
    }
    const missing = def.fields.filter(
      (f) =>
        f.slot >= 0 && !f.nillable && !f.system && f.type !== 'boolean' && (row[f.slot] === null || row[f.slot] === ''),
    );
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
    validationRules(this, def, row, old);
    for (const f of def.fields) {
      if (!f.unique || f.slot < 0) continue;
      const v = row[f.slot];
      if (typeof v !== 'string' || v === '') continue;
      const clash = table.lookup(f.slot, v).find((other) => other !== id);
      if (clash)
        fail('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${clash}`, [
          f.name,
        ]);
    }
    if (!this.options.allowDuplicates) duplicateRule(this, table, id, row, old);
    this.txn.put(table, id, row);
  }

  private checkReference(f: FieldDef, id: string): void {
    const target = this.store.tableForId(id);
    if (!target || !f.referenceTo.includes(target.def.name)) {
      fail('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${id}`, [f.name]);
    }
    const row = target.rows.get(id);
    if (!row) fail('INVALID_CROSS_REFERENCE_KEY', `${f.label}: invalid cross reference id`, [f.name]);
    if (target.isDeleted(row)) fail('ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
    if (!this.store.canSee(this.user, target.def, row)) {
      fail('INVALID_CROSS_REFERENCE_KEY', `insufficient access rights on cross-reference id: ${id}`, [f.name]);
    }
    if (target.def.name === 'Group' && this.store.read('Group', row, 'Type') !== 'Queue') {
      fail('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${id}`, [f.name]);
    }
  }

  private stampCreate(def: ObjectDef, row: Row): void {
    for (const name of ['createddate', 'lastmodifieddate', 'systemmodstamp'])
      row[def.fieldMap.get(name)!.slot] = this.now;
    for (const name of ['createdbyid', 'lastmodifiedbyid']) row[def.fieldMap.get(name)!.slot] = this.user.id;
  }

  private stampUpdate(def: ObjectDef, row: Row): void {
    row[def.fieldMap.get('lastmodifieddate')!.slot] = this.now;
    row[def.fieldMap.get('systemmodstamp')!.slot] = this.now;
    row[def.fieldMap.get('lastmodifiedbyid')!.slot] = this.user.id;
  }

  // Children of a deleted parent: cascade references go to the bin with it (remembering the
  // root, so undelete brings them back); other lookups are cleared, which bumps their stamp.
  private softDelete(table: Table, id: string, row: Row, rootId: string): void {
    const deleted = row.slice();
    deleted[table.isDeletedSlot] = true;
    deleted[table.modstampSlot] = this.now;
    deleted[table.def.deleteRootSlot] = rootId === id ? null : rootId;
    this.txn.put(table, id, deleted);
    for (const rel of table.def.childRelationships) {
      const childTable = this.store.table(rel.childSObject);
      const field = childTable.def.fieldMap.get(rel.field.toLowerCase())!;
      for (const childId of childTable.children(field.slot, id)) {
        const child = childTable.rows.get(childId);
        if (!child || childTable.isDeleted(child)) continue;
        if (rel.cascadeDelete) this.softDelete(childTable, childId, child, rootId);
        else this.systemUpdate(childTable, childId, { [field.name]: null });
      }
    }
  }

  private restore(table: Table, id: string, row: Row, rootId: string): void {
    const restored = row.slice();
    restored[table.isDeletedSlot] = false;
    restored[table.modstampSlot] = this.now;
    restored[table.def.deleteRootSlot] = null;
    this.txn.put(table, id, restored);
    for (const rel of table.def.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const childTable = this.store.table(rel.childSObject);
      const field = childTable.def.fieldMap.get(rel.field.toLowerCase())!;
      for (const childId of childTable.children(field.slot, id)) {
        const child = childTable.rows.get(childId);
        if (child && childTable.isDeleted(child) && child[childTable.def.deleteRootSlot] === rootId) {
          this.restore(childTable, childId, child, rootId);
        }
      }
    }
  }

  private purgeTree(table: Table, id: string): void {
    const row = table.rows.get(id);
    if (!row) return;
    for (const rel of table.def.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const childTable = this.store.table(rel.childSObject);
      const field = childTable.def.fieldMap.get(rel.field.toLowerCase())!;
      for (const childId of childTable.children(field.slot, id)) {
        const child = childTable.rows.get(childId);
        if (child && childTable.isDeleted(child) && child[childTable.def.deleteRootSlot] === id)
          this.purgeTree(childTable, childId);
      }
    }
    table.purged.push({
      id,
      deletedDate: row[table.modstampSlot] as number,
      ownerId: table.ownerSlot >= 0 ? (row[table.ownerSlot] as string | null) : null,
    });
    this.txn.put(table, id, undefined);
  }
}
