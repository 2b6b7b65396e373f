/**
 * After every describe: the data table gets its triggers (change capture on a two-way object, the
 * read-only guard otherwise: src/db/capture-triggers.ts) and, once lead and contact both exist, the
 * `person` view is rebuilt over their current columns.
 */
import { installTableGuards } from '../db/capture-triggers';
import { PERSON_VIEW_OBJECTS, ensurePersonView } from '../db/person-view';
import { readObjectStates } from '../db/state';
import { recordSyncedFields } from '../db/synced-fields';
import type { ObjectDefinition } from '../objects';
import type { ColumnSpec } from '../sync/type-mapping';
import type { ActivityContext } from './context';

/** Installs the table's triggers after a describe, and the person view when one of its objects changed. */
export async function afterDescribe(
  ctx: ActivityContext,
  def: ObjectDefinition,
  table: string,
  columns: readonly ColumnSpec[],
): Promise<void> {
  const schema = ctx.config.database.schema;
  const vanished = def.direction === 'two-way' ? await recordSyncedFields(ctx.db, def.name, columns) : [];
  await installTableGuards(
    ctx.db,
    schema,
    table,
    def,
    columns,
    vanished,
    ctx.config.sync.externalIdField.toLowerCase(),
  );
  if (PERSON_VIEW_OBJECTS.some((o) => o.object === def.name)) {
    const states = await readObjectStates(
      ctx.db,
      PERSON_VIEW_OBJECTS.map((o) => o.object),
    );
    const [lead, contact] = PERSON_VIEW_OBJECTS.map((o) => states.get(o.object));
    const tablesAsExpected = PERSON_VIEW_OBJECTS.every((o) => states.get(o.object)?.tableName === o.table);
    if (lead && contact && tablesAsExpected) await ensurePersonView(ctx.db, schema, lead.columns, contact.columns);
  }
}
