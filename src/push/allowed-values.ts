/**
 * Checks a field whose allowed values are records of another object (objects/<object>.ts
 * `allowedValues`: a campaign member's status must be one of its campaign's CampaignMemberStatus
 * labels, pulled into the local table) before sending: a value the parent does not have becomes a sync
 * error saying so, instead of a failed call. Parents with no values pulled yet are left to Salesforce.
 */
import type { ActivityContext } from '../activities/context';
import { readObjectState } from '../db/state';
import { valuesByParent } from '../db/table-rows';
import type { AllowedValuesRule } from '../objects/types';
import { refuseBeforeSend } from './refuse-row';
import type { PushPlan, RowWork, Tally } from './types';

/** The allowed values of `rule` per parent id, from the local copy of its source object. */
export async function allowedValuesOf(
  ctx: ActivityContext,
  rule: AllowedValuesRule,
  parents: readonly string[],
): Promise<Map<string, string[]>> {
  const state = await readObjectState(ctx.db, rule.source.object);
  if (!state) return new Map();
  return valuesByParent(ctx.db, ctx.config.database.schema, state.tableName, rule.source, parents);
}

/** Records a sync error for each row whose checked value its parent does not allow; returns the others. */
export async function checkAllowedValues(
  ctx: ActivityContext,
  plan: PushPlan,
  work: RowWork[],
  operation: 'insert' | 'update',
  tally: Tally,
): Promise<RowWork[]> {
  const rule = plan.allowedValues;
  if (!rule) return work;
  const relevant = work.filter((w) => rule.column in w.send && typeof w.row[rule.parentColumn] === 'string');
  if (relevant.length === 0) return work;
  const allowedByParent = await allowedValuesOf(ctx, rule, [
    ...new Set(relevant.map((w) => String(w.row[rule.parentColumn]))),
  ]);
  const ok: RowWork[] = [];
  for (const w of work) {
    const parent = String(w.row[rule.parentColumn]);
    const allowed = allowedByParent.get(parent);
    const value = w.send[rule.column];
    if (
      !(rule.column in w.send) ||
      !allowed ||
      allowed.length === 0 ||
      value === null ||
      allowed.includes(String(value))
    ) {
      ok.push(w);
      continue;
    }
    await refuseBeforeSend(ctx, plan, w, operation, tally, {
      code: rule.code,
      message: rule.message(String(value), parent, allowed),
      fields: [rule.field],
    });
  }
  return ok;
}
