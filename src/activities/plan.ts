/**
 * The pre-cycle check, from PostgreSQL only (no Salesforce call): which objects need a full copy and
 * why, and the API budget as last reported by `Sforce-Limit-Info`. Tables are created and extended from
 * describe at the start of each copy and on the periodic re-describe of pulls, not here, so planning
 * a cycle costs no API call.
 */
import type { CopyReason, CyclePlan } from '../shared';
import { readApiUsage, readCopyCheckpoint, readObjectStates } from '../db/state';
import { isOverBudget } from '../salesforce/limits';
import { isTooOldForIncremental } from '../sync/watermark';
import { definitionOf, type ActivityContext } from './context';
import { toActivityFailure } from './errors';

/** Plans a cycle for `objects`. */
export async function planCycle(ctx: ActivityContext, input: { objects: string[] }): Promise<CyclePlan> {
  try {
    const names = input.objects.map((o) => definitionOf(ctx, o).name);
    const states = await readObjectStates(ctx.db, names);
    const now = ctx.now();
    const needsCopy: { object: string; reason: CopyReason }[] = [];
    for (const name of names) {
      const state = states.get(name);
      if (!state?.copyCompletedAt || !state.watermark) {
        // A copy that was started but never finished keeps its reason (e.g. resync-requested).
        const checkpoint = await readCopyCheckpoint(ctx.db, name);
        needsCopy.push({ object: name, reason: checkpoint && !checkpoint.done ? checkpoint.reason : 'never-copied' });
      } else if (state.needsCopyReason) {
        needsCopy.push({ object: name, reason: state.needsCopyReason });
      } else if (state.getDeleted && isTooOldForIncremental(state.deletesCoveredUntil ?? state.watermark, now)) {
        needsCopy.push({ object: name, reason: 'watermark-too-old' });
      }
    }
    const usage = await readApiUsage(ctx.db);
    const plan: CyclePlan = { needsCopy };
    if (usage) {
      plan.apiUsage = { used: usage.used, limit: usage.limit };
      plan.throttled = isOverBudget(usage, ctx.config.salesforce.apiBudgetShare);
    }
    return plan;
  } catch (error) {
    throw toActivityFailure(error, { object: input.objects.join(', ') || '(no objects)', call: 'planCycle' });
  }
}
