/**
 * Links new rows to the visible record with the same email instead of creating a duplicate
 * (objects/<object>.ts `linkByEmail`, on while `sync.dedupeLeadsByEmail`): the local tables hold
 * exactly what the sync user sees, refreshed by this cycle's pull. The new row is marked with the record
 * it was linked to and its values are applied to that record's row, as the object's rule says.
 */
import type { ActivityContext } from '../activities/context';
import { closeEntries } from '../db/outbox';
import { withTransaction } from '../db/pool';
import { PUSH_COLUMNS } from '../db/push-columns';
import { readObjectState } from '../db/state';
import { sfidsByEmail, writeColumns } from '../db/table-rows';
import { captureSpec } from '../sync/capture-spec';
import { targetRow } from './redirects';
import { valuesForTarget, writableInTarget } from './redirect-rules';
import type { PushPlan, RowWork, Tally } from './types';

/** Links the inserts whose email matches a record; returns the inserts still to create. */
export async function linkByEmail(
  ctx: ActivityContext,
  plan: PushPlan,
  inserts: RowWork[],
  tally: Tally,
): Promise<RowWork[]> {
  const emails = [
    ...new Set(
      inserts
        .map((w) => w.row.email)
        .filter((e): e is string => typeof e === 'string' && e.trim() !== '')
        .map((e) => e.toLowerCase()),
    ),
  ];
  if (plan.linkByEmail.length === 0 || emails.length === 0 || !plan.byColumn.has('email')) return inserts;
  const matches = new Map<string, string>();
  const modes = new Map(plan.linkByEmail.map((t) => [t.object, t.values]));
  for (const { object } of plan.linkByEmail) {
    const state = await readObjectState(ctx.db, object);
    if (!state) continue;
    // Rows standing for another record (a converted lead) are not a match: their record is read-only.
    const standsForAnother = (ctx.objects.find((o) => o.name === object)?.push?.redirects ?? []).map((r) => r.flag);
    for (const [email, sfid] of await sfidsByEmail(ctx.db, plan.schema, state.tableName, emails, standsForAnother))
      if (!matches.has(email)) matches.set(email, sfid);
  }
  const remaining: RowWork[] = [];
  for (const w of inserts) {
    const match = typeof w.row.email === 'string' ? matches.get(w.row.email.toLowerCase()) : undefined;
    const found = match ? await targetRow(ctx, match) : null;
    if (!found) {
      remaining.push(w);
      continue;
    }
    const columns = writableInTarget(Object.keys(w.send), captureSpec(found.object, found.state.columns)).filter(
      (c) => c !== plan.externalId?.column,
    );
    const kinds = new Map(found.state.columns.map((c) => [c.column, c.kind]));
    const values = valuesForTarget(modes.get(found.object) ?? 'overwrite', w.row, found.row, columns, kinds);
    await withTransaction(ctx.db, async (tx) => {
      await writeColumns(tx, plan.schema, plan.table, w.rowId, { [PUSH_COLUMNS.linkedTo]: found.row.sfid });
      await writeColumns(tx, plan.schema, found.state.tableName, Number(found.row.id), values, { capture: true });
      await closeEntries(
        tx,
        w.entries.map((e) => e.id),
        'linked',
        `not created: linked to ${found.object} ${String(found.row.sfid)} with the same email (sync.dedupeLeadsByEmail)`,
      );
    });
    tally.linked++;
  }
  return remaining;
}
