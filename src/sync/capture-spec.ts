/**
 * What the capture trigger of a two-way table is told: which columns are pushed when changed and which
 * writes are refused, with the reason. Pure: decided from describe's `createable` / `updateable`
 * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm),
 * installed by src/db/capture-triggers.ts and read by the push (src/push/plan.ts).
 */
import { DELETED_COLUMN, ID_COLUMN, type ColumnSpec } from './type-mapping';

/** The Salesforce fields Salesforce itself maintains: never pushed, refused when written locally. */
const SYSTEM_FIELDS = new Set(['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'MasterRecordId']);

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
export function captureSpec(object: string, columns: readonly ColumnSpec[], vanished: readonly { column: string; field: string }[] = []): CaptureSpec {
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
    if (!createable) spec.notCreateable.push([c.column, `the sync user cannot set ${object}.${c.field} in Salesforce (not createable: a formula, system or read-only field)`]);
    if (!updateable) spec.notUpdateable.push([c.column, `the sync user cannot update ${object}.${c.field} in Salesforce (not updateable: a formula, system or read-only field)`]);
    if (createable || updateable) spec.tracked.push(c.column);
  }
  for (const v of vanished) {
    const reason = `${object}.${v.field} is no longer visible to the sync user (deleted, or hidden by field-level security), so it no longer syncs`;
    spec.notCreateable.push([v.column, reason]);
    spec.notUpdateable.push([v.column, reason]);
  }
  return spec;
}
