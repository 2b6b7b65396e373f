/**
 * The end-of-run audit: both sides snapshotted (chaos/snapshot.ts) and judged (chaos/judge.ts)
 * against what the workload did — every local row of every synced table against the org as the sync
 * user sees it and back, duplicates in every object, every open sync error accounted for, every
 * change, creation and deletion of the workload arrived.
 */
import type pg from 'pg';
import type { RunningEmulator } from '../src/emulator/server';
import { judge, type Audit, type AuditInput } from './judge';
import { snapshotObjects, snapshotPush } from './snapshot';

/** What the workload expects; nothing expected means only the two sides are compared. */
export type Expected = Pick<AuditInput, 'values' | 'records' | 'deletions' | 'refusals' | 'exempt'>;

const NOTHING: Expected = { values: [], records: [], deletions: [], refusals: [] };

/** Snapshots both sides now and judges them. */
export async function auditSides(
  db: pg.Pool,
  emulator: RunningEmulator,
  expected: Expected = NOTHING,
  schema = 'salesforce',
): Promise<Audit> {
  const objects = await snapshotObjects(db, emulator, schema);
  const { openErrors, outbox } = await snapshotPush(db);
  return judge({ objects, openErrors, outbox, ...expected });
}
