/**
 * What the capture trigger of a two-way table is told: which columns are pushed when changed and which
 * writes are refused, with the reason. Pure: decided from describe's `createable` / `updateable`
 * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm),
 * installed by src/db/capture-triggers.ts and read by the push (src/push/plan.ts).
 */
import { DELETED_COLUMN, ID_COLUMN, type ColumnSpec } from './type-mapping';

/** The Salesforce fields Salesforce itself maintains: never pushed, refused when written locally. */
const SYSTEM_FIELDS = new Set([
  'Id',
  'IsDeleted',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'MasterRecordId',
]);

/** What the capture trigger of one table is told (TG_ARGV[1]). */
export interface CaptureSpec {
  /** Columns pushed to Salesforce when changed. */
  tracked: string[];
  /** [column, reason]: refused when set on insert. */
  notCreateable: [string, string][];
  /** [column, reason]: refused when changed on update. */
  notUpdateable: [string, string][];
}

/**
 * The capture spec of an object's columns, from describe's `createable` / `updateable`. `vanished`
 * are columns of fields that once synced but are no longer in describe: writes to them are refused.
 */
export function captureSpec(
  object: string,
  columns: readonly ColumnSpec[],
  vanished: readonly { column: string; field: string }[] = [],
): CaptureSpec {
  const spec: CaptureSpec = {
    tracked: [],
    notCreateable: [[ID_COLUMN, 'the Salesforce id is assigned by Salesforce']],
    notUpdateable: [
      [ID_COLUMN, 'the Salesforce id is assigned by Salesforce'],
      [DELETED_COLUMN, 'Salesforce sets it; DELETE the row to delete the record'],
    ],
  };
  for (const c of columns) {
    if (c.field === '' || c.column === ID_COLUMN || c.column === DELETED_COLUMN) continue;
    if (SYSTEM_FIELDS.has(c.field)) {
      const reason = `${object}.${c.field} is maintained by Salesforce`;
      spec.notCreateable.push([c.column, reason]);
      spec.notUpdateable.push([c.column, reason]);
      continue;
    }
    const createable = c.createable !== false;
    const updateable = c.updateable !== false;
    if (!createable)
      spec.notCreateable.push([
        c.column,
        `the sync user cannot set ${object}.${c.field} in Salesforce (not createable: a formula, system or read-only field)`,
      ]);
    if (!updateable)
      spec.notUpdateable.push([
        c.column,
        `the sync user cannot update ${object}.${c.field} in Salesforce (not updateable: a formula, system or read-only field)`,
      ]);
    if (createable || updateable) spec.tracked.push(c.column);
  }
  for (const v of vanished) {
    const reason = `${object}.${v.field} is no longer visible to the sync user (deleted, or hidden by field-level security), so it no longer syncs`;
    spec.notCreateable.push([v.column, reason]);
    spec.notUpdateable.push([v.column, reason]);
  }
  return spec;
}

/** The columns Tandem alone writes on a two-way table, besides `sfid` (already refused by `captureSpec`). */
export interface TandemOwnedColumns {
  /** The insert key column (`sync.externalIdField`, lowercased), when the table has it. */
  keyColumn?: string;
  /** Tandem's bookkeeping columns (`_tandem_*`); those with a default are refused on update only. */
  bookkeeping: readonly string[];
  /** Bookkeeping columns every insert fills by default (`_tandem_synced_at`): never refused on insert. */
  defaulted: readonly string[];
}

/**
 * The trigger's spec with Tandem's own columns refused to marketing writes (the push's plan keeps
 * using `captureSpec`, where the key is an ordinary pushed field). The insert key must be Tandem's:
 * an upsert by a key copied from another row overwrites that row's record in Salesforce, so an
 * insert that supplies one is refused (a copy must leave the key empty and becomes a new person).
 * `id` names the row in the outbox and the shadow: changing it would orphan its pending changes.
 */
export function guardTandemColumns(spec: CaptureSpec, own: TandemOwnedColumns): CaptureSpec {
  const guarded: CaptureSpec = {
    tracked: [...spec.tracked],
    notCreateable: [...spec.notCreateable],
    notUpdateable: [...spec.notUpdateable],
  };
  const refuse = (column: string, reason: string, onInsert: boolean) => {
    if (onInsert && !guarded.notCreateable.some(([c]) => c === column)) guarded.notCreateable.push([column, reason]);
    if (!guarded.notUpdateable.some(([c]) => c === column)) guarded.notUpdateable.push([column, reason]);
  };
  refuse('id', "the local row id names the row in Tandem's outbox; insert a new row instead of renumbering one", false);
  if (own.keyColumn)
    refuse(
      own.keyColumn,
      "Tandem assigns the insert key (a copied key would overwrite the other row's Salesforce record); leave it empty",
      true,
    );
  for (const column of own.bookkeeping) refuse(column, 'Tandem maintains it', !own.defaulted.includes(column));
  return guarded;
}
