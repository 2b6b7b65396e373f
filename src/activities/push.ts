/**
 * The push of one two-way object, each cycle after its pull: marketing-side changes captured in
 * `tandem.outbox` (src/db/outbox.ts) reach Salesforce. This module runs the steps, each in src/push/.
 *
 * - Change source: the object's open outbox entries, collapsed per row into one insert, update (the
 *   union of changed columns, current values — Heroku Connect's "merged writes") or delete.
 * - Before sending: Salesforce merges are folded into the marketing rows (losers fill their master's
 *   blanks), and edits of rows that now stand for another record — a converted lead (its contact), a
 *   merge loser (its master), a row linked by email — are applied to that record's row instead. New
 *   rows whose email matches a visible record are linked to it, not created (objects/lead.ts).
 * - Sending: per operation, sObject Collections of 200 records, or one Bulk API 2.0 ingest job above
 *   `sync.bulkIngestThreshold` rows; `allOrNone: false` so one bad record never holds back the others.
 *   Inserts upsert by the external-id field (`sync.externalIdField`) holding a key written to the row
 *   before the call, so a retry after a crash between Salesforce's success and the local commit finds
 *   the record instead of duplicating it; objects without that field look for the record by their
 *   natural key (objects/<object>.ts `insertKey`) before re-creating it.
 * - Results, per record and per chunk in one transaction: success → entries pushed, new sfid written
 *   back, shadow and sync error cleared; transient → left pending for the next cycle; permanent →
 *   `tandem.sync_error`, the row marked with its error, re-driven by its next change or a resync.
 * - A call that fails as a whole with a transient error leaves its rows pending and ends the push of
 *   this object for this cycle (the backlog says so); a permanent one fails the activity.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { backlogOf, openEntries } from '../db/outbox';
import { conflictsSinceLastPush, savePushResult, withTryLock } from '../db/push-state';
import { readObjectState, type ObjectState } from '../db/state';
import { openErrorCount } from '../db/sync-errors';
import type { ObjectDefinition } from '../objects';
import { checkAllowedValues } from '../push/allowed-values';
import { checkStringLengths } from '../push/string-lengths';
import { collapse } from '../push/collapse';
import { prepareInserts } from '../push/inserts';
import { linkByEmail } from '../push/link-by-email';
import { pushPlan } from '../push/plan';
import { foldMerges, redirectEdits } from '../push/redirects';
import { send } from '../push/send';
import { emptyTally, type Tally } from '../push/types';
import type { PushResult } from '../shared';
import { definitionOf, recordApiUsage, type ActivityContext } from './context';
import { toActivityFailure } from './errors';

/** Rows handled per push call; the rest wait for the next cycle (and show as backlog). */
const MAX_ROWS_PER_PUSH = 50_000;

/** Pushes `object`'s pending outbox rows; refuses objects that sync from Salesforce only. */
export async function pushChanges(ctx: ActivityContext, input: { object: string }): Promise<PushResult> {
  let call = 'pushChanges';
  try {
    const def = definitionOf(ctx, input.object);
    if (def.direction !== 'two-way' || !def.push) {
      throw ApplicationFailure.create({
        message: `${def.name}: pushChanges refused: ${def.name} syncs from Salesforce only`,
        type: 'NotTwoWay',
        nonRetryable: true,
      });
    }
    const tally = emptyTally();
    const state = await readObjectState(ctx.db, def.name);
    if (!state?.copyCompletedAt) return await recordOutcome(ctx, def, tally, 0); // nothing to push against before the first copy
    // One push per object at a time, across workers: a retry started while a stalled attempt still runs
    // (heartbeat timeout) would otherwise send the same rows twice.
    call = 'take the push lock';
    const locked = await withTryLock(ctx.db, `tandem push ${def.name}`, () =>
      pushLocked(ctx, def, state, tally, (step) => (call = step)),
    );
    if (!locked.acquired) {
      throw ApplicationFailure.create({
        message: `${def.name}: another push of ${def.name} is still running; retrying`,
        type: 'PushBusy',
        nonRetryable: false,
      });
    }
    return locked.value;
  } catch (error) {
    throw toActivityFailure(error, { object: input.object, call, rateLimit: 'report' });
  }
}

/** The push proper, under the object's push lock; `at` names the current step for failure messages. */
async function pushLocked(
  ctx: ActivityContext,
  def: ObjectDefinition,
  state: ObjectState,
  tally: Tally,
  at: (step: string) => void,
): Promise<PushResult> {
  const client = await ctx.salesforce();
  const plan = pushPlan(ctx.config, def, state);
  if (plan.byColumn.has('masterrecordid')) {
    at('fold Salesforce merges into marketing rows');
    await foldMerges(ctx, plan);
  }
  at('redirect edits of converted, merged and linked rows');
  await redirectEdits(ctx, plan, tally);
  at('read the outbox');
  const work = await collapse(ctx, plan, await openEntries(ctx.db, def.name, MAX_ROWS_PER_PUSH), tally);
  if (plan.linkByEmail.length > 0) {
    at(`match new ${def.name} records by email`);
    work.inserts = await linkByEmail(ctx, plan, work.inserts, tally);
  }
  at(`check ${def.name} text lengths`);
  work.inserts = await checkStringLengths(ctx, plan, work.inserts, 'insert', tally);
  work.updates = await checkStringLengths(ctx, plan, work.updates, 'update', tally);
  if (plan.allowedValues) {
    at(`check ${def.name} ${plan.allowedValues.field} values`);
    work.inserts = await checkAllowedValues(ctx, plan, work.inserts, 'insert', tally);
    work.updates = await checkAllowedValues(ctx, plan, work.updates, 'update', tally);
  }
  at(`delete ${def.name} records`);
  await send(ctx, client, plan, 'delete', work.deletes, tally);
  at(`insert ${def.name} records`);
  await send(ctx, client, plan, 'insert', await prepareInserts(ctx, client, plan, work.inserts, tally), tally);
  at(`update ${def.name} records`);
  await send(ctx, client, plan, 'update', work.updates, tally);
  await recordApiUsage(ctx, client);
  return recordOutcome(ctx, def, tally, client.apiCalls);
}

/** The result: counts, backlog and error counts, also kept in `tandem.push_state` for status and stories. */
async function recordOutcome(
  ctx: ActivityContext,
  def: ObjectDefinition,
  tally: Tally,
  apiCalls: number,
): Promise<PushResult> {
  const backlog = await backlogOf(ctx.db, def.name, ctx.now());
  const result: PushResult = {
    object: def.name,
    rowsPushed: tally.pushed,
    rowsFailed: tally.failed,
    backlog: backlog.rows,
    apiCalls,
    oldestPendingSeconds: backlog.oldestSeconds,
    conflicts: await conflictsSinceLastPush(ctx.db, def.name),
    openErrors: await openErrorCount(ctx.db, def.name),
    deletesNotPropagated: tally.deletesNotPropagated,
    linked: tally.linked,
    redirected: tally.redirected,
    ...(tally.interrupted && { interrupted: tally.interrupted }),
  };
  await savePushResult(ctx.db, result);
  return result;
}
