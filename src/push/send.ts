/**
 * Sends one operation's rows (src/push/transport.ts decides how): sObject Collections of 200 records
 * with `allOrNone: false`, so one bad record never holds back the others, or one Bulk API 2.0 ingest
 * job. Each call's attempts are committed before it. A call that fails as a whole with a transient
 * error leaves its rows pending and ends this object's push for the cycle; a permanent one is rethrown.
 */
import type { ActivityContext } from '../activities/context';
import { beat, throwIfCancelled } from '../activities/context';
import { classify, errorCode } from '../activities/errors';
import { markAttempt, retryEntries } from '../db/outbox';
import type { SalesforceClient } from '../salesforce/connection';
import {
  COLLECTION_LIMIT,
  bulkIngest,
  createRecords,
  deleteRecords,
  updateRecords,
  upsertRecords,
  type RecordResult,
} from '../salesforce/writes';
import { syncUserId } from './find-existing';
import { applyResults } from './record-results';
import { bulkTable, outgoingRecord, usesBulkIngest } from './transport';
import { entryIds, type PushOperation, type PushPlan, type RowWork, type Tally } from './types';

/** Bulk results are applied this many rows per transaction. */
const BULK_RESULTS_PER_TRANSACTION = 1000;

/** Sends one operation's rows and applies their results; does nothing once the push was interrupted. */
export async function send(
  ctx: ActivityContext,
  client: SalesforceClient,
  plan: PushPlan,
  op: PushOperation,
  work: RowWork[],
  tally: Tally,
): Promise<void> {
  if (work.length === 0 || tally.interrupted) return;
  if (usesBulkIngest(work.length, op, ctx.config.sync.bulkIngestThreshold, plan.externalId !== null)) {
    await markAttempt(ctx.db, entryIds(work), ctx.now(), syncUserId(client));
    try {
      await sendBulk(ctx, client, plan, op, work, tally);
    } catch (error) {
      await leavePendingAfterCallFailure(ctx, work, error, tally);
    }
    return;
  }
  for (let i = 0; i < work.length; i += COLLECTION_LIMIT) {
    throwIfCancelled();
    const chunk = work.slice(i, i + COLLECTION_LIMIT);
    await markAttempt(ctx.db, entryIds(chunk), ctx.now(), syncUserId(client));
    let results: RecordResult[];
    try {
      results = await sendCollection(client, plan, op, chunk);
    } catch (error) {
      await leavePendingAfterCallFailure(ctx, work.slice(i), error, tally);
      return;
    }
    await applyResults(ctx, client, plan, op, chunk, results, tally);
    beat({ object: plan.def.name, op, rowsPushed: tally.pushed, rowsFailed: tally.failed });
  }
}

/** One sObject Collections call; inserts upsert by the external id when the object has it. */
function sendCollection(
  client: SalesforceClient,
  plan: PushPlan,
  op: PushOperation,
  chunk: RowWork[],
): Promise<RecordResult[]> {
  if (op === 'delete')
    return deleteRecords(
      client,
      chunk.map((w) => w.sfid!),
    );
  const records = chunk.map((w) => outgoingRecord(plan, op, w));
  if (op === 'update') return updateRecords(client, plan.def.name, records);
  if (plan.externalId) return upsertRecords(client, plan.def.name, plan.externalId.field, records);
  return createRecords(client, plan.def.name, records);
}

/** A whole call failed: transient → the rows stay pending and this object's push ends for this cycle; otherwise rethrow. */
async function leavePendingAfterCallFailure(
  ctx: ActivityContext,
  rest: RowWork[],
  error: unknown,
  tally: Tally,
): Promise<void> {
  if (classify(error).kind === 'permanent') throw error;
  const message = `${errorCode(error) ?? 'ERROR'}: ${error instanceof Error ? error.message : String(error)}`;
  await retryEntries(ctx.db, entryIds(rest), message);
  tally.interrupted = message;
}

/** Bulk API 2.0 ingest of one operation's rows. */
async function sendBulk(
  ctx: ActivityContext,
  client: SalesforceClient,
  plan: PushPlan,
  op: PushOperation,
  work: RowWork[],
  tally: Tally,
): Promise<void> {
  const table = bulkTable(plan, op, work);
  const outcome = await bulkIngest(client, {
    object: plan.def.name,
    operation: op === 'insert' ? 'upsert' : op,
    ...(op === 'insert' && { externalIdFieldName: table.keyField }),
    columns: table.columns,
    rows: table.rows,
    keyColumn: table.keyField,
    pollIntervalMs: ctx.config.sync.bulkPollIntervalMs,
    timeoutMs: ctx.config.sync.bulkJobTimeoutSeconds * 1000,
    onPoll: () => beat({ object: plan.def.name, op, bulk: true }),
  });
  const unprocessed: RecordResult = {
    success: false,
    id: null,
    errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: `not processed by Bulk job ${outcome.jobId}`, fields: [] }],
  };
  for (let i = 0; i < work.length; i += BULK_RESULTS_PER_TRANSACTION) {
    const chunk = work.slice(i, i + BULK_RESULTS_PER_TRANSACTION);
    await applyResults(
      ctx,
      client,
      plan,
      op,
      chunk,
      chunk.map((w) => outcome.results.get(table.keyOf(w)) ?? unprocessed),
      tally,
    );
  }
}
