// One object's rows plus the indexes writes and queries need: unique/external-id values,
// the Lead email index for the duplicate rule, and child indexes built on first use (so a
// million-row seed pays nothing for them until a delete, merge or subquery asks).
import type { FieldDef, ObjectDef, Row } from '../schema';

/** A hard-deleted (purged) record, kept so getDeleted still reports it. */
export interface PurgedRecord {
  id: string;
  deletedDate: number;
  ownerId: string | null;
}

/** Rows of one object, keyed by 18-character id, in insertion (= id) order. */
export class Table {
  readonly rows = new Map<string, Row>();
  /** Records removed from the recycle bin; getDeleted reports them until the log is trimmed. */
  readonly purged: PurgedRecord[] = [];
  /** Next id counter for this object's key prefix. */
  counter = 1;
  /**
   * Called on every `put` with the row the id held before, or null: the persistence journal
   * (persist/org-journal.ts) uses it to learn which rows a request touched. Null costs one check.
   */
  onPut: ((table: Table, id: string, before: Row | undefined) => void) | null = null;
  readonly idSlot: number;
  readonly isDeletedSlot: number;
  readonly modstampSlot: number;
  readonly ownerSlot: number;
  /** Case-insensitive value indexes of unique / external-id (and other looked-up) text fields, over live rows. */
  private readonly valueIndexes = new Map<number, Map<string, string | Set<string>>>();
  /** Lazily built parent-id → child-ids indexes per reference slot, over all rows. */
  private readonly childIndexes = new Map<number, Map<string, Set<string>>>();
  /** SystemModstamp hour → ids over all rows (see `modifiedSince`); built by `indexModstamps` or on first use. */
  private modstampIndex: Map<number, string[]> | null = null;

  constructor(
    readonly def: ObjectDef,
    indexedFields: FieldDef[],
  ) {
    this.idSlot = def.fieldMap.get('id')!.slot;
    this.isDeletedSlot = def.fieldMap.get('isdeleted')?.slot ?? -1;
    this.modstampSlot = def.fieldMap.get('systemmodstamp')!.slot;
    this.ownerSlot = def.fieldMap.get('ownerid')?.slot ?? -1;
    for (const f of indexedFields) this.valueIndexes.set(f.slot, new Map());
  }

  /** True when the row is in the recycle bin. */
  isDeleted(row: Row): boolean {
    return this.isDeletedSlot >= 0 && row[this.isDeletedSlot] === true;
  }

  /** Stores `row` under `id` (or removes the id when `row` is undefined), keeping every index current. */
  put(id: string, row: Row | undefined): void {
    const old = this.rows.get(id);
    if (this.onPut) this.onPut(this, id, old);
    if (old) this.unindex(id, old);
    if (row) {
      this.rows.set(id, row);
      this.index(id, row);
      // Append-only: a restamped row stays listed under its old hour too (modifiedSince filters it).
      const bucket = modstampBucket(row[this.modstampSlot]);
      if (this.modstampIndex && (!old || modstampBucket(old[this.modstampSlot]) !== bucket))
        appendTo(this.modstampIndex, bucket, id);
    } else {
      this.rows.delete(id);
    }
  }

  /** Ids of live rows whose indexed field `slot` equals `value` case-insensitively. */
  lookup(slot: number, value: string): string[] {
    const hit = this.valueIndexes.get(slot)?.get(value.toLowerCase());
    if (hit === undefined) return [];
    return typeof hit === 'string' ? [hit] : [...hit];
  }

  /** True when field `slot` has a value index. */
  hasValueIndex(slot: number): boolean {
    return this.valueIndexes.has(slot);
  }

  /** Ids of rows (deleted ones included) whose reference `slot` points at `parentId`. */
  children(slot: number, parentId: string): string[] {
    let index = this.childIndexes.get(slot);
    if (!index) {
      index = new Map();
      for (const [id, row] of this.rows) addTo(index, row[slot], id);
      this.childIndexes.set(slot, index);
    }
    const set = index.get(parentId);
    return set ? [...set] : [];
  }

  /**
   * Ids of rows (deleted ones included) whose SystemModstamp (epoch seconds) is at or after `since`, among
   * others: rows stamped earlier in the same hour, and ids whose row has since been restamped earlier or
   * removed (entries are only ever appended). A superset, without duplicates, that the caller filters.
   * Salesforce indexes SystemModstamp, so an incremental query costs what it returns, not the table's size.
   */
  modifiedSince(since: number): string[] {
    const index = this.indexModstamps();
    const from = Math.floor(since / MODSTAMP_BUCKET_SECONDS);
    const ids = new Set<string>();
    for (const [bucket, list] of index) if (bucket >= from) for (const id of list) if (this.rows.has(id)) ids.add(id);
    return [...ids];
  }

  /**
   * Builds the SystemModstamp index when it does not exist yet, and returns it. The server calls this
   * after seeding (one pass: far cheaper than keeping it during a million-row seed), so the first
   * incremental query — a sync cycle — does not pay for it, as it would not in Salesforce.
   */
  indexModstamps(): Map<number, string[]> {
    if (!this.modstampIndex) {
      this.modstampIndex = new Map();
      for (const [id, row] of this.rows) appendTo(this.modstampIndex, modstampBucket(row[this.modstampSlot]), id);
    }
    return this.modstampIndex;
  }

  private index(id: string, row: Row): void {
    if (!this.isDeleted(row)) {
      for (const [slot, index] of this.valueIndexes) {
        const v = row[slot];
        if (typeof v !== 'string' || v === '') continue;
        const key = v.toLowerCase();
        const hit = index.get(key);
        if (hit === undefined) index.set(key, id);
        else if (typeof hit === 'string') {
          if (hit !== id) index.set(key, new Set([hit, id]));
        } else hit.add(id);
      }
    }
    for (const [slot, index] of this.childIndexes) addTo(index, row[slot], id);
  }

  private unindex(id: string, row: Row): void {
    if (!this.isDeleted(row)) {
      for (const [slot, index] of this.valueIndexes) {
        const v = row[slot];
        if (typeof v !== 'string' || v === '') continue;
        const key = v.toLowerCase();
        const hit = index.get(key);
        if (hit === id) index.delete(key);
        else if (hit instanceof Set) {
          hit.delete(id);
          if (hit.size === 1) index.set(key, [...hit][0]);
        }
      }
    }
    for (const [slot, index] of this.childIndexes) {
      const parent = row[slot];
      if (typeof parent === 'string') index.get(parent)?.delete(id);
    }
  }
}

/** Width of a SystemModstamp index bucket: an hour, so a cycle's window reads at most an hour of older rows. */
const MODSTAMP_BUCKET_SECONDS = 3600;

/** The modstamp index key of a stamp; a row without a numeric stamp goes to the last bucket, which every query reads. */
function modstampBucket(stamp: unknown): number {
  return typeof stamp === 'number' && Number.isFinite(stamp)
    ? Math.floor(stamp / MODSTAMP_BUCKET_SECONDS)
    : Number.MAX_SAFE_INTEGER;
}

function appendTo(index: Map<number, string[]>, bucket: number, id: string): void {
  const list = index.get(bucket);
  if (list) list.push(id);
  else index.set(bucket, [id]);
}

function addTo(index: Map<string, Set<string>>, parent: unknown, id: string): void {
  if (typeof parent !== 'string') return;
  let set = index.get(parent);
  if (!set) index.set(parent, (set = new Set()));
  set.add(id);
}
