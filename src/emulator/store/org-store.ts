// The org's data: one Table per object, the users, and the entry points every API surface
// (REST, SOAP, Bulk) shares — queries under a user's field-level security and sharing, and
// record writes with the same validation everywhere. All work is synchronous, so a request's
// writes cannot interleave with another request's: that is what makes them atomic.
import { randomInt } from 'node:crypto';
import type { Clock } from '../clock';
import { RecordWriteError, SalesforceError, recordError, type RecordError } from '../errors';
import { makeId, normalizeId } from '../ids';
import { Schema, type FieldDef, type ObjectDef, type Row, type RowResolver } from '../schema';
import { runQuery, type QueryOptions, type QueryResult } from '../soql';
import { isFieldHidden, UserDirectory, type OrgUser } from '../users';
import { Table } from './table';
import { Transaction } from './transaction';
import { RecordWriter, type WriteOptions } from './writes';

/** One write of a batch; the same shapes serve REST collections, SOAP calls and Bulk ingest. */
export type WriteOp =
  | { op: 'create'; type: string; values: Record<string, unknown> }
  | { op: 'update'; type?: string; id: string; values: Record<string, unknown> }
  | { op: 'upsert'; type: string; externalIdField: string; externalId: unknown; values: Record<string, unknown> }
  | { op: 'delete'; type?: string; id: string }
  | { op: 'undelete'; id: string }
  | { op: 'hardDelete'; type?: string; id: string };

/** The per-record outcome of a write, in Salesforce's SaveResult/UpsertResult shape. */
export interface SaveResult {
  id: string | null;
  success: boolean;
  errors: RecordError[];
  /** Upserts only: true when the record was inserted. */
  created?: boolean;
}

/** Options of a batch of writes. */
export interface BatchOptions extends WriteOptions {
  /** Roll every record back when one fails (sObject Collections `allOrNone`). */
  allOrNone?: boolean;
}

const ROLLED_BACK = recordError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

/** Options for creating a store. */
export interface OrgStoreOptions {
  clock: Clock;
  /** 2-character instance part of ids (e.g. `5g`). */
  pod?: string;
  /** The Organization Id (18 characters, `00D…`); a random one when omitted, so each fresh org is told apart. */
  orgId?: string;
}

/** A random Organization Id in `pod`: each freshly seeded org is a different org, as a new Salesforce org would be. */
export function randomOrgId(pod: string): string {
  // makeId's counter part holds 10 base-62 digits; 2^47 keeps it an exact integer and is plenty of orgs.
  return makeId('00D', pod, randomInt(1, 2 ** 47));
}

/** The emulated org's records, users and metadata. */
export class OrgStore implements RowResolver {
  readonly schema = new Schema();
  readonly users = new UserDirectory();
  readonly clock: Clock;
  readonly pod: string;
  readonly orgId: string;
  /** When set, getUpdated/getDeleted never report `latestDateCovered` past this (epoch seconds): an open long transaction. */
  replicationHorizon: number | null = null;
  /**
   * Set by the admin API's late-commit plan (fault-kit.ts): the stamp (epoch seconds, in the
   * past) a write must carry to model a long transaction committing late, or undefined.
   */
  lateCommitStamp: ((op: WriteOp, nowSeconds: number) => number | undefined) | null = null;
  /** getDeleted reports nothing earlier than this (epoch seconds); raised when the delete log is trimmed. */
  deleteLogStart = 0;
  private readonly tables = new Map<string, Table>();

  constructor(options: OrgStoreOptions) {
    this.clock = options.clock;
    this.pod = options.pod ?? '5g';
    if (options.orgId !== undefined && (normalizeId(options.orgId) === null || !options.orgId.startsWith('00D'))) {
      throw new Error(
        `orgId must be a 15- or 18-character Organization Id starting with 00D, got ${JSON.stringify(options.orgId)}`,
      );
    }
    this.orgId = options.orgId !== undefined ? normalizeId(options.orgId)! : randomOrgId(this.pod);
    for (const def of this.schema.objects) {
      const indexed = def.fields.filter((f) => f.externalId || f.unique || (def.name === 'Lead' && f.name === 'Email'));
      this.tables.set(def.name.toLowerCase(), new Table(def, indexed));
    }
  }

  /** The table of object `name` (any case); throws INVALID_TYPE for unknown objects. */
  table(name: string): Table {
    const t = this.tables.get(name.toLowerCase());
    if (!t) throw new SalesforceError(404, 'NOT_FOUND', `The requested resource does not exist`);
    return t;
  }

  /** The table of object `name` (any case), or undefined. */
  findTable(name: string): Table | undefined {
    return this.tables.get(name.toLowerCase());
  }

  /** The table holding records with this id's key prefix, or undefined. */
  tableForId(id: string): Table | undefined {
    const def = this.schema.objectForId(id);
    return def ? this.tables.get(def.name.toLowerCase()) : undefined;
  }

  /** Every table. */
  allTables(): Table[] {
    return [...this.tables.values()];
  }

  /** A fresh 18-character id for a new record of `def`. */
  newId(def: ObjectDef): string {
    const t = this.table(def.name);
    return makeId(def.keyPrefix, this.pod, t.counter++);
  }

  /** @inheritdoc */
  findRow(id: unknown): Row | undefined {
    if (typeof id !== 'string') return undefined;
    return this.tableForId(id)?.rows.get(id);
  }

  /** @inheritdoc */
  read(objectName: string, row: Row, field: string): unknown {
    const f = this.table(objectName).def.fieldMap.get(field.toLowerCase());
    if (!f) return undefined;
    return readField(f, row, this);
  }

  /** True when `user`'s profile lets them see `field` of `def` (field-level security). */
  fieldVisible(user: OrgUser, def: ObjectDef, field: FieldDef): boolean {
    return !isFieldHidden(user.profile, def.name, field.name);
  }

  /** The fields of `def` that `user` can see, in describe order. */
  visibleFields(user: OrgUser, def: ObjectDef): FieldDef[] {
    return def.fields.filter((f) => this.fieldVisible(user, def, f));
  }

  /**
   * A predicate telling whether `user` can see a row of `def` under sharing, or null when every
   * row is visible. Precompiled per query so a million-row scan pays one Set lookup per row.
   */
  visibilityFilter(user: OrgUser, def: ObjectDef): ((row: Row) => boolean) | null {
    if (user.profile.viewAll) return null;
    const privateOwners = this.users.privateOwners;
    if (privateOwners.size === 0) return null;
    const sharing = def.sharing;
    if (sharing.kind === 'public') return null;
    if (sharing.kind === 'owner') {
      const slot = def.fieldMap.get('ownerid')!.slot;
      return (row) => {
        const owner = row[slot] as string;
        return owner === user.id || !privateOwners.has(owner);
      };
    }
    const slot = def.fieldMap.get(sharing.field.toLowerCase())!.slot;
    return (row) => {
      const parentId = row[slot];
      if (typeof parentId !== 'string') return true;
      const parentTable = this.tableForId(parentId);
      const parent = parentTable?.rows.get(parentId);
      if (!parentTable || !parent) return true;
      const filter = this.visibilityFilter(user, parentTable.def);
      return filter ? filter(parent) : true;
    };
  }

  /** True when `user` can see `row` of `def`. */
  canSee(user: OrgUser, def: ObjectDef, row: Row): boolean {
    const filter = this.visibilityFilter(user, def);
    return filter ? filter(row) : true;
  }

  /**
   * The record with this 15/18-character id as `user` may see it, or undefined when it does not
   * exist, is hidden by sharing, is of another type than `type` (if given) or is deleted (unless
   * `includeDeleted`).
   */
  getRecord(
    user: OrgUser,
    id: string,
    opts: { type?: string; includeDeleted?: boolean } = {},
  ): { def: ObjectDef; row: Row } | undefined {
    const id18 = normalizeId(id);
    if (!id18) return undefined;
    const table = this.tableForId(id18);
    const row = table?.rows.get(id18);
    if (!table || !row) return undefined;
    if (opts.type && table.def.name.toLowerCase() !== opts.type.toLowerCase()) return undefined;
    if (!opts.includeDeleted && table.isDeleted(row)) return undefined;
    if (!this.canSee(user, table.def, row)) return undefined;
    return { def: table.def, row };
  }

  /** Runs a SOQL query as `user` (see `runQuery`); throws SalesforceError for bad queries. */
  query(user: OrgUser, soql: string, options: QueryOptions = {}): QueryResult {
    return runQuery(this, user, soql, options);
  }

  /**
   * Applies writes as `user` in one synchronous step and returns one result per op, in order.
   * Each op is its own savepoint; with `allOrNone`, one failure rolls every op back and the
   * healthy ones report ALL_OR_NONE_OPERATION_ROLLED_BACK.
   */
  applyWrites(user: OrgUser, ops: WriteOp[], options: BatchOptions = {}): SaveResult[] {
    const outer = new Transaction();
    const results: SaveResult[] = [];
    for (const op of ops) {
      const savepoint = new Transaction();
      // Late commits (admin API, fault-kit.ts): the hook may stamp this record in the past.
      const late = options.stampSeconds === undefined ? this.lateCommitStamp?.(op, this.clock.nowSeconds()) : undefined;
      const writer = new RecordWriter(
        this,
        user,
        savepoint,
        late === undefined ? options : { ...options, stampSeconds: late },
      );
      try {
        results.push(writer.apply(op));
        outer.absorb(savepoint);
      } catch (err) {
        savepoint.rollback();
        if (!(err instanceof RecordWriteError)) throw err;
        results.push({
          id: op.op === 'create' || op.op === 'upsert' ? null : (normalizeId(op.id) ?? op.id),
          success: false,
          errors: err.errors,
        });
      }
    }
    if (options.allOrNone && results.some((r) => !r.success)) {
      outer.rollback();
      return results.map((r, i) =>
        r.success ? { id: ops[i].op === 'create' ? null : r.id, success: false, errors: [ROLLED_BACK] } : r,
      );
    }
    return results;
  }

  /** Runs `fn` with a writer in one transaction, rolling back everything if it throws. */
  withWriter<T>(user: OrgUser, options: WriteOptions, fn: (writer: RecordWriter) => T): T {
    const txn = new Transaction();
    try {
      return fn(new RecordWriter(this, user, txn, options));
    } catch (err) {
      txn.rollback();
      throw err;
    }
  }

  /** Inserts a fully built row without validation; for the seed generator only. */
  insertRaw(def: ObjectDef, row: Row): void {
    const table = this.table(def.name);
    table.put(row[table.idSlot] as string, row);
  }
}

/** Reads a field's stored or computed value from a row. */
export function readField(f: FieldDef, row: Row, resolver: RowResolver): unknown {
  return f.compute ? f.compute(row, resolver) : (row[f.slot] ?? null);
}
