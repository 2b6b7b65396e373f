/**
 * How one operation's rows travel, and the records they become. Pure. Above `sync.bulkIngestThreshold`
 * rows one Bulk API 2.0 ingest job (https://developer.salesforce.com/docs/platform/api-asynch/guide/upload-job-data.html)
 * costs a few calls instead of one per 200 records; inserts go by Bulk only with the external id, the
 * one key that ties each unordered result row back to its local row.
 */
import type { OutgoingRecord } from '../salesforce/writes';
import type { PushOperation, PushPlan, RowWork } from './types';

/** True when `count` rows of `op` go as one Bulk ingest job rather than sObject Collections. */
export function usesBulkIngest(count: number, op: PushOperation, threshold: number, hasExternalId: boolean): boolean {
  return count > threshold && (op !== 'insert' || hasExternalId);
}

/** The Salesforce record for one row's insert or update (field names, nulls explicit). */
export function outgoingRecord(plan: Pick<PushPlan, 'byColumn'>, op: 'insert' | 'update', w: RowWork): OutgoingRecord {
  const record: OutgoingRecord = {};
  if (op === 'update') record.Id = w.sfid;
  for (const [column, value] of Object.entries(w.send)) record[plan.byColumn.get(column)!.field] = value ?? null;
  return record;
}

/** The CSV table of a Bulk ingest job: its header, its rows and each row's key (the external id on insert, else Id). */
export interface BulkTable {
  keyField: string;
  columns: string[];
  rows: unknown[][];
  keyOf(w: RowWork): string;
}

/** Lays out one operation's rows for Bulk ingest; a field absent from a row's work is left unchanged (undefined cell). */
export function bulkTable(
  plan: Pick<PushPlan, 'byColumn' | 'externalId'>,
  op: PushOperation,
  work: readonly RowWork[],
): BulkTable {
  const keyField = op === 'insert' ? plan.externalId!.field : 'Id';
  const fieldColumns =
    op === 'delete'
      ? []
      : [...new Set(work.flatMap((w) => Object.keys(w.send)))].filter((c) => plan.byColumn.get(c)!.field !== keyField);
  const keyOf = (w: RowWork): string => (op === 'insert' ? String(w.send[plan.externalId!.column]) : w.sfid!);
  return {
    keyField,
    columns: [keyField, ...fieldColumns.map((c) => plan.byColumn.get(c)!.field)],
    rows: work.map((w) => [keyOf(w), ...fieldColumns.map((c) => (c in w.send ? w.send[c] : undefined))]),
    keyOf,
  };
}
