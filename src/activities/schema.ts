/**
 * Schema from describe: describe as the sync user, check the fields the object's sync cannot do
 * without, create or extend its table, and record the columns in `tandem.sync_object`. Runs at the
 * start of every full copy and, every `describeIntervalSeconds`, before a pull.
 */
import { identifierFor } from '../db/identifiers';
import { flagNeedsCopy, readObjectState, saveDescribe } from '../db/state';
import { ensureTable, existingColumns, type TableChanges } from '../db/tables';
import { logger } from '../logger';
import type { ObjectDefinition } from '../objects';
import type { SalesforceClient } from '../salesforce/connection';
import { describeObject } from '../salesforce/describe';
import { SchemaMappingError, columnsFor, compareTypes, type ColumnSpec } from '../sync/type-mapping';
import { afterDescribe } from './table-triggers';
import type { ActivityContext } from './context';

const log = logger.child({ component: 'schema' });

/** The cursor of incremental pulls (see sync/watermark.ts). */
export const CURSOR_FIELD = 'SystemModstamp';

/** The result of a schema refresh. */
export interface ObjectSchema {
  table: string;
  columns: ColumnSpec[];
  getDeleted: boolean;
  changes: TableChanges;
}

/**
 * Columns Tandem recorded for a copied object that are now missing from its table, or whose type was
 * changed to one their values cannot come back from (someone altered the table by hand), or all of
 * them when the table itself is gone.
 */
async function alteredByHand(ctx: ActivityContext, object: string, table: string): Promise<string[]> {
  const previous = await readObjectState(ctx.db, object);
  if (!previous?.copyCompletedAt) return [];
  const current = await existingColumns(ctx.db, ctx.config.database.schema, table);
  return previous.columns
    .filter((c) => {
      const type = current.get(c.column);
      return type === undefined || compareTypes(type, c.sqlType) === 'incompatible';
    })
    .map((c) => c.column);
}

/** Describes `def`, creates or extends its table and saves its columns; throws SchemaMappingError when required fields are hidden. */
export async function refreshSchema(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
): Promise<ObjectSchema> {
  const description = await describeObject(client, def.name);
  if (!description.queryable) throw new SchemaMappingError(`${def.name}: the sync user cannot query this object`);
  const visible = new Set(description.fields.map((f) => f.name));
  const missing = ['Id', CURSOR_FIELD, ...def.requiredFields].filter((f) => !visible.has(f));
  if (missing.length > 0) {
    throw new SchemaMappingError(
      `${def.name}: fields ${missing.join(', ')} are not visible to the sync user; grant field-level access to them`,
    );
  }
  const columns = columnsFor(def.name, description.fields);
  const table = identifierFor(def.name);
  const altered = await alteredByHand(ctx, def.name, table);
  const changes = await ensureTable(ctx.db, ctx.config.database.schema, table, def.name, columns);
  if (altered.length > 0) {
    // ensureTable put the columns back, empty: only a full copy refills them. The next cycle starts it.
    await flagNeedsCopy(ctx.db, def.name, 'schema-changed');
    log.warn(
      { object: def.name, columns: altered },
      'columns Tandem manages were dropped or retyped by hand; restored them and scheduled a full copy to refill them',
    );
  }
  const getDeleted = description.deletable && description.replicateable;
  await saveDescribe(ctx.db, def.name, table, columns, ctx.now(), getDeleted);
  // Change capture (two-way) or the read-only guard (one-way), and the person view.
  await afterDescribe(ctx, def, table, columns);
  return { table, columns, getDeleted, changes };
}
