/**
 * The initial (full) copy of one object: `startInitialCopy` resets its checkpoint, `copyObjectPages`
 * copies up to `maxPages` pages per call. Large objects go through a Bulk API 2.0 query job whose result
 * pages are fetched by locator; small objects, and those Bulk cannot query, page through REST by Id
 * keyset (`Id > last ORDER BY Id`), which — unlike a query locator that expires after ~15 idle minutes
 * (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html) — can resume days later. Every page is written and its cursor checkpointed in
 * one PostgreSQL transaction, then heartbeated: a killed worker resumes from its last page.
 */
import { Readable } from 'node:stream';
import type { CopyPagesInput, CopyProgress, CopyReason } from '../shared';
import { markSeenByCopy, retireUnseenRows, upsertBatches, upsertRows, type TextRow } from '../db/copy';
import { quarantineRecords, releaseQuarantined, releaseWrittenThisTransaction } from '../db/quarantine';
import { withTransaction } from '../db/pool';
import {
  advanceCopyCheckpoint,
  clearCopyMode,
  completeCopyState,
  readCopyCheckpoint,
  readObjectState,
  resetCopyCheckpoint,
  saveCopyMode,
  type CopyCheckpoint,
} from '../db/state';
import type { ObjectDefinition } from '../objects';
import {
  BulkJobError,
  createQueryJob,
  deleteQueryJob,
  fetchResultPage,
  waitForQueryJob,
} from '../salesforce/bulk-query';
import type { SalesforceClient } from '../salesforce/connection';
import { queryCount, queryPages } from '../salesforce/rest-query';
import { buildCount, buildSelect } from '../salesforce/soql';
import { CsvRecordParser } from '../salesforce/bulk-csv';
import { coerceRecord, coerceRows, toEighteen, ValueCoercionError, type RefusedRecord } from '../sync/coerce';
import { ID_COLUMN, selectedFields, type ColumnSpec } from '../sync/type-mapping';
import { watermarkAfterCopy } from '../sync/watermark';
import { redriveFailed } from '../db/outbox';
import { guardPendingChanges } from './pending-merge';
import { beat, definitionOf, recordApiUsage, throwIfCancelled, type ActivityContext } from './context';
import { classify, errorCode, toActivityFailure } from './errors';
import { refreshSchema } from './schema';

/**
 * REST pages hold at most 2,000 records
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm); one keyset page = one API call.
 */
export const REST_PAGE_SIZE = 2000;

/** What a copy call heartbeats after every committed page. */
export interface CopyHeartbeat {
  copyId: number;
  pagesCopied: number;
  rowsCopied: number;
}

/** Starts (or restarts) `object`'s copy: schema from describe, then a fresh checkpoint with the copy's start time. */
export async function startInitialCopy(
  ctx: ActivityContext,
  input: { object: string; reason: CopyReason },
): Promise<void> {
  let client: SalesforceClient | undefined;
  try {
    const def = definitionOf(ctx, input.object);
    client = await ctx.salesforce();
    const previous = await readCopyCheckpoint(ctx.db, def.name);
    // The start time is taken before describe: everything committed after it is re-read by the first pull.
    const startedAt = ctx.now();
    await refreshSchema(ctx, client, def);
    await resetCopyCheckpoint(ctx.db, def.name, input.reason, startedAt);
    // A resync re-drives the object's sync errors: their rows are pushed again next cycle.
    if (def.direction === 'two-way') await redriveFailed(ctx.db, def.name);
    if (previous?.jobId && !previous.done) await deleteQueryJob(client, previous.jobId);
    await recordApiUsage(ctx, client);
  } catch (error) {
    throw toActivityFailure(error, { object: input.object, call: 'startInitialCopy' });
  }
}

/** Copies up to `maxPages` pages of `object`, resuming from its PostgreSQL checkpoint. */
export async function copyObjectPages(ctx: ActivityContext, input: CopyPagesInput): Promise<CopyProgress> {
  let call = 'copyObjectPages';
  try {
    if (!Number.isInteger(input.maxPages) || input.maxPages < 1)
      throw new RangeError(`maxPages must be a positive integer, got ${input.maxPages}`);
    const def = definitionOf(ctx, input.object);
    const client = await ctx.salesforce();
    let checkpoint = await readCopyCheckpoint(ctx.db, def.name);
    if (!checkpoint) {
      // startInitialCopy was not called (or its state was lost): start here, the same way.
      await startInitialCopy(ctx, { object: def.name, reason: input.reason });
      checkpoint = (await readCopyCheckpoint(ctx.db, def.name))!;
    }
    if (checkpoint.done) return progressOf(def.name, checkpoint);
    const state = await readObjectState(ctx.db, def.name);
    if (!state) throw new Error(`${def.name}: copy checkpoint exists but its schema was never described`);
    const target = {
      schema: ctx.config.database.schema,
      table: state.tableName,
      columns: state.columns,
      copyId: checkpoint.copyId,
    };

    if (checkpoint.mode === null) {
      call = 'choose copy mode (SELECT COUNT())';
      checkpoint = await chooseMode(ctx, client, def, checkpoint, state.columns);
    }
    let pages = 0;
    let finished = false;
    while (pages < input.maxPages && !finished) {
      throwIfCancelled();
      try {
        if (checkpoint.mode === 'bulk') {
          call = `Bulk API 2.0 results of job ${checkpoint.jobId}`;
          finished = await copyBulkPage(ctx, client, def, checkpoint, target);
        } else {
          call = 'REST query page';
          finished = await copyRestPage(ctx, client, def, checkpoint, target);
        }
      } catch (error) {
        // Pages already committed by this call: return them rather than fail. The next call starts with
        // a fresh retry count, so under a high fault rate the backoff does not keep growing while the
        // copy is in fact progressing; only calls that copy nothing back off.
        if (pages > 0 && classify(error).kind === 'transient') return progressOf(def.name, checkpoint);
        throw error;
      }
      pages++;
      checkpoint = (await readCopyCheckpoint(ctx.db, def.name))!;
      beat({
        copyId: checkpoint.copyId,
        pagesCopied: checkpoint.pagesCopied,
        rowsCopied: checkpoint.rowsCopied,
      } satisfies CopyHeartbeat);
    }
    if (finished) {
      call = 'finish copy';
      const done = checkpoint;
      await withTransaction(ctx.db, async (tx) => {
        // Rows this copy did not see are gone from Salesforce (or from the sync user's view).
        await retireUnseenRows(tx, target.schema, target.table, done.copyId, ctx.config.sync.deletePolicy, {
          detachIds: done.reason === 'org-rebound',
        });
        await completeCopyState(
          tx,
          def.name,
          watermarkAfterCopy(done.startedAt, ctx.config.sync.overlapWindowSeconds),
          ctx.now(),
        );
      });
      if (done.jobId) await deleteQueryJob(client, done.jobId);
      checkpoint = (await readCopyCheckpoint(ctx.db, def.name))!;
    }
    await recordApiUsage(ctx, client);
    return progressOf(def.name, checkpoint);
  } catch (error) {
    if (error instanceof BulkJobError || errorCode(error) === 'NOT_FOUND') {
      // A failed, aborted or purged job cannot be resumed: the next attempt creates a new one (rows stay).
      await clearCopyMode(ctx.db, input.object).catch(() => undefined);
    }
    throw toActivityFailure(error, { object: input.object, call });
  }
}

function progressOf(object: string, checkpoint: CopyCheckpoint): CopyProgress {
  return {
    object,
    done: checkpoint.done,
    rowsCopied: checkpoint.rowsCopied,
    totalRows: checkpoint.totalRows,
    pagesCopied: checkpoint.pagesCopied,
  };
}

/**
 * Bulk or REST, decided once per copy in one commented place (cf. Airbyte): Bulk pays a job and polling
 * but then streams 50,000-row pages; REST costs one call per 2,000 rows. Salesforce advises Bulk above
 * 2,000 records (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/asynch_api_intro.htm);
 * the threshold is `sync.bulkQueryThreshold`. Objects Bulk cannot query always use REST.
 */
async function chooseMode(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
  checkpoint: CopyCheckpoint,
  columns: ColumnSpec[],
): Promise<CopyCheckpoint> {
  const total = await queryCount(client, buildCount(def.name));
  if (def.bulkQuery && total > ctx.config.sync.bulkQueryThreshold) {
    const jobId = await createQueryJob(
      client,
      buildSelect({ object: def.name, fields: selectedFields(columns) }),
      'query',
    );
    await saveCopyMode(ctx.db, def.name, 'bulk', jobId, total);
  } else {
    await saveCopyMode(ctx.db, def.name, 'rest', null, total);
  }
  return (await readCopyCheckpoint(ctx.db, def.name)) ?? checkpoint;
}

interface Target {
  schema: string;
  table: string;
  columns: ColumnSpec[];
  copyId: number;
}

/**
 * Records the records a copy page quarantined (and keeps their local rows from being retired as
 * unseen), and resolves the quarantine of those it stored.
 */
async function recordRefused(
  tx: Parameters<typeof upsertRows>[0],
  def: ObjectDefinition,
  target: Target,
  refused: readonly RefusedRecord[],
  stored: readonly string[],
): Promise<void> {
  await quarantineRecords(
    tx,
    refused.map((r) => ({ object: def.name, operation: 'copy' as const, ...r })),
  );
  await markSeenByCopy(
    tx,
    target.schema,
    target.table,
    target.copyId,
    refused.map((r) => r.sfid),
  );
  await releaseQuarantined(tx, def.name, stored);
}

/** Copies one REST keyset page; returns true when it was the last. */
async function copyRestPage(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
  checkpoint: CopyCheckpoint,
  target: Target,
): Promise<boolean> {
  const soql = buildSelect({
    object: def.name,
    fields: selectedFields(target.columns),
    where: checkpoint.lastId ? [{ field: 'Id', op: '>', value: checkpoint.lastId }] : [],
    orderBy: ['Id'],
    limit: REST_PAGE_SIZE,
  });
  const rows: TextRow[] = [];
  const refused: RefusedRecord[] = [];
  let read = 0;
  let lastRead: string | null = null;
  for await (const page of queryPages(client, soql, { batchSize: REST_PAGE_SIZE })) {
    // A record with a value its column cannot hold is quarantined; the rest of the page goes in.
    const coerced = coerceRows(def.name, target.columns, page.records);
    rows.push(...coerced.rows);
    refused.push(...coerced.refused);
    read += page.records.length;
    const last = page.records[page.records.length - 1];
    if (last) lastRead = toEighteen(String(last.Id));
  }
  const idIndex = target.columns.findIndex((c) => c.column === ID_COLUMN);
  const lastId = lastRead ?? checkpoint.lastId;
  await withTransaction(ctx.db, async (tx) => {
    const pending = await guardPendingChanges(ctx, tx, def, target);
    await upsertRows(tx, target, rows);
    await pending?.reconcile();
    await recordRefused(
      tx,
      def,
      target,
      refused,
      rows.map((r) => r[idIndex]!),
    );
    await advanceCopyCheckpoint(tx, def.name, { lastId }, rows.length);
  });
  return read < REST_PAGE_SIZE;
}

/** Copies one Bulk result page, streamed from HTTP through CSV parsing into COPY; returns true when it was the last. */
async function copyBulkPage(
  ctx: ActivityContext,
  client: SalesforceClient,
  def: ObjectDefinition,
  checkpoint: CopyCheckpoint,
  target: Target,
): Promise<boolean> {
  const jobId = checkpoint.jobId!;
  if (checkpoint.locator === null) {
    // First page of this job: it must be complete. Later pages imply it already was.
    await waitForQueryJob(client, jobId, {
      pollIntervalMs: ctx.config.sync.bulkPollIntervalMs,
      timeoutMs: ctx.config.sync.bulkJobTimeoutSeconds * 1000,
      onPoll: () =>
        beat({
          copyId: checkpoint.copyId,
          pagesCopied: checkpoint.pagesCopied,
          rowsCopied: checkpoint.rowsCopied,
        } satisfies CopyHeartbeat),
      pollAgainAfter: (error) => classify(error).kind === 'transient',
    });
  }
  const page = await fetchResultPage(client, jobId, checkpoint.locator, ctx.config.sync.bulkResultPageSize);
  let count = 0;
  const refused: RefusedRecord[] = [];
  await withTransaction(ctx.db, async (tx) => {
    const pending = await guardPendingChanges(ctx, tx, def, target);
    const rows = csvBatches(
      def.name,
      target.columns,
      Readable.fromWeb(page.body as never),
      (n) => (count += n),
      refused,
    );
    await upsertBatches(tx, target, rows);
    await pending?.reconcile();
    await recordRefused(tx, def, target, refused, []);
    await releaseWrittenThisTransaction(
      tx,
      def.name,
      target.schema,
      target.table,
      refused.map((r) => r.sfid),
    );
    await advanceCopyCheckpoint(tx, def.name, { locator: page.nextLocator }, count);
  });
  return page.nextLocator === null;
}

/**
 * Parses a Bulk result page (CSV, header first) into TextRows in column order, one batch per network
 * chunk, so the page streams from HTTP into PostgreSQL without being held. Columns are matched by header
 * name, case-insensitively: Bulk returns SELECT order (API 50+), but the header is authoritative.
 */
async function* csvBatches(
  object: string,
  columns: readonly ColumnSpec[],
  body: AsyncIterable<Buffer>,
  counted: (rows: number) => void,
  refused: RefusedRecord[],
): AsyncGenerator<TextRow[]> {
  let positions: number[] | null = null;
  let idPosition = -1;
  let batch: TextRow[] = [];
  const parser = new CsvRecordParser((record) => {
    if (positions === null) {
      const indexOf = new Map(record.map((name, i) => [name.toLowerCase(), i]));
      const absent = columns.filter((c) => c.field !== '' && !indexOf.has(c.field.toLowerCase()));
      if (absent.length > 0)
        throw new Error(`${object}: Bulk result has no column for ${absent.map((c) => c.field).join(', ')}`);
      positions = columns.map((c) => (c.field === '' ? -1 : indexOf.get(c.field.toLowerCase())!));
      idPosition = indexOf.get('id') ?? -1;
      return;
    }
    try {
      batch.push(coerceRecord(object, columns, positions, record, idPosition));
    } catch (error) {
      const detail = error instanceof ValueCoercionError ? error.detail : undefined;
      if (!detail?.sfid) throw error;
      refused.push({ sfid: toEighteen(detail.sfid), field: detail.field, value: detail.value, reason: detail.reason });
    }
  });
  const decoder = new TextDecoder('utf-8');
  const flush = () => {
    const full = batch;
    batch = [];
    counted(full.length);
    return full;
  };
  for await (const chunk of body) {
    parser.push(decoder.decode(chunk, { stream: true }));
    if (batch.length > 0) yield flush();
  }
  parser.push(decoder.decode());
  parser.end();
  if (batch.length > 0) yield flush();
}
