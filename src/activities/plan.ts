/**
 * The pre-cycle check: which org the credentials log into (the login's identity, no API call; the
 * org's name once per worker), then from PostgreSQL which objects need a full copy and why, and the
 * API budget as last reported by `Sforce-Limit-Info`. Tables are created and extended from describe at
 * the start of each copy and on the periodic re-describe of pulls, not here.
 */
import type { CopyReason, CyclePlan } from '../shared';
import { readApiUsage, readCopyCheckpoint, readObjectStates } from '../db/state';
import { isOverBudget } from '../salesforce/limits';
import { isTooOldForIncremental } from '../sync/watermark';
import { OrgMismatchError } from '../sync/org-identity';
import { definitionOf, type ActivityContext } from './context';
import { toActivityFailure } from './errors';

/**
 * How long the plan waits for the login that tells it the org. A Salesforce that does not answer must
 * not hold up the cycle: the pulls then report the outage, as before the check existed.
 */
const ORG_CHECK_TIMEOUT_MS = 15_000;

/** The org part of the plan: the binding, a mismatch, or nothing when the login did not succeed in time. */
async function checkOrg(ctx: ActivityContext): Promise<Pick<CyclePlan, 'org' | 'orgMismatch'>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('login timed out')), ORG_CHECK_TIMEOUT_MS);
    });
    const org = await Promise.race([ctx.boundOrg(), timeout]);
    return { org };
  } catch (error) {
    if (error instanceof OrgMismatchError)
      return { orgMismatch: { bound: error.bound, connected: error.connected, message: error.message } };
    return {};
  } finally {
    clearTimeout(timer);
  }
}

/** Plans a cycle for `objects`. */
export async function planCycle(ctx: ActivityContext, input: { objects: string[] }): Promise<CyclePlan> {
  try {
    const names = input.objects.map((o) => definitionOf(ctx, o).name);
    const org = await checkOrg(ctx);
    if (org.orgMismatch) return { needsCopy: [], ...org };
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
    const plan: CyclePlan = { needsCopy, ...org };
    if (usage) {
      plan.apiUsage = { used: usage.used, limit: usage.limit };
      plan.throttled = isOverBudget(usage, ctx.config.salesforce.apiBudgetShare);
    }
    return plan;
  } catch (error) {
    throw toActivityFailure(error, { object: input.objects.join(', ') || '(no objects)', call: 'planCycle' });
  }
}
