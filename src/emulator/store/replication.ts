// getUpdated / getDeleted (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-getupdated.html): windows keyed on SystemModstamp, seconds truncated
// (so windows are whole minutes), start before end, at most 30 days back for updated and 15
// for deleted, at most 600,000 ids, and `latestDateCovered` never past the end, now, or the
// start of an open long transaction (`replicationHorizon`) — the next window starts there.
import { SalesforceError } from '../errors';
import type { OrgUser } from '../users';
import { formatDateTime, parseDateTime } from '../values';
import type { OrgStore } from './org-store';

const MINUTE = 60;
const DAY = 86_400;
/** getUpdated looks back at most 30 days. */
export const UPDATED_LOOKBACK_SECONDS = 30 * DAY;
/** Deleted records stay in the recycle bin (and getDeleted) 15 days. */
export const DELETED_LOOKBACK_SECONDS = 15 * DAY;
/** Both calls refuse windows holding more ids than this. */
export const MAX_REPLICATION_IDS = 600_000;

interface Window {
  start: number;
  covered: number;
}

function invalidDate(message: string): SalesforceError {
  return new SalesforceError(400, 'INVALID_REPLICATION_DATE', message);
}

function parseWindow(
  store: OrgStore,
  startText: unknown,
  endText: unknown,
  lookback: number,
  earliest: number,
): Window {
  if (typeof startText !== 'string' || typeof endText !== 'string') {
    throw new SalesforceError(400, 'MISSING_ARGUMENT', 'start and end are required query parameters');
  }
  const s = parseDateTime(startText);
  const e = parseDateTime(endText);
  if (s === null || e === null) throw invalidDate(`Invalid date format: ${s === null ? startText : endText}`);
  const start = Math.floor(s / MINUTE) * MINUTE;
  const end = Math.floor(e / MINUTE) * MINUTE;
  const now = store.clock.nowSeconds();
  if (start >= end) throw invalidDate('startDate must chronologically precede endDate by more than one minute');
  if (start < now - lookback || start < earliest) {
    throw invalidDate(`startDate cannot be earlier than ${formatDateTime(Math.max(now - lookback, earliest))}`);
  }
  let covered = Math.min(end, Math.floor(now / MINUTE) * MINUTE);
  if (store.replicationHorizon !== null)
    covered = Math.min(covered, Math.floor(store.replicationHorizon / MINUTE) * MINUTE);
  return { start, covered: Math.max(start, covered) };
}

/** The `/sobjects/T/updated` body for `user`. */
export function getUpdated(
  store: OrgStore,
  user: OrgUser,
  type: string,
  startText: unknown,
  endText: unknown,
): { ids: string[]; latestDateCovered: string } {
  const table = store.table(type);
  if (!table.def.replicateable)
    throw new SalesforceError(400, 'INVALID_TYPE', `${table.def.name} is not replicateable`);
  const w = parseWindow(store, startText, endText, UPDATED_LOOKBACK_SECONDS, 0);
  const visible = store.visibilityFilter(user, table.def);
  const ids: string[] = [];
  for (const [id, row] of table.rows) {
    const stamp = row[table.modstampSlot] as number;
    if (stamp < w.start || stamp >= w.covered || table.isDeleted(row)) continue;
    if (visible && !visible(row)) continue;
    ids.push(id);
    if (ids.length > MAX_REPLICATION_IDS)
      throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', 'too many ids in the window; use a smaller window');
  }
  return { ids, latestDateCovered: formatDateTime(w.covered) };
}

/** The `/sobjects/T/deleted` body for `user`. */
export function getDeleted(
  store: OrgStore,
  user: OrgUser,
  type: string,
  startText: unknown,
  endText: unknown,
): {
  deletedRecords: Array<{ id: string; deletedDate: string }>;
  earliestDateAvailable: string;
  latestDateCovered: string;
} {
  const table = store.table(type);
  const now = store.clock.nowSeconds();
  const earliest = Math.max(now - DELETED_LOOKBACK_SECONDS, store.deleteLogStart);
  const w = parseWindow(store, startText, endText, DELETED_LOOKBACK_SECONDS, earliest);
  const visible = store.visibilityFilter(user, table.def);
  const privateOwners = store.users.privateOwners;
  const found: Array<{ id: string; stamp: number }> = [];
  for (const [id, row] of table.rows) {
    if (!table.isDeleted(row)) continue;
    const stamp = row[table.modstampSlot] as number;
    if (stamp < w.start || stamp >= w.covered || (visible && !visible(row))) continue;
    found.push({ id, stamp });
  }
  for (const p of table.purged) {
    if (p.deletedDate < w.start || p.deletedDate >= w.covered) continue;
    if (!user.profile.viewAll && p.ownerId && p.ownerId !== user.id && privateOwners.has(p.ownerId)) continue;
    found.push({ id: p.id, stamp: p.deletedDate });
  }
  if (found.length > MAX_REPLICATION_IDS)
    throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', 'too many ids in the window; use a smaller window');
  found.sort((a, b) => a.stamp - b.stamp);
  return {
    deletedRecords: found.map((f) => ({ id: f.id, deletedDate: formatDateTime(f.stamp) })),
    earliestDateAvailable: formatDateTime(Math.floor(earliest / MINUTE) * MINUTE),
    latestDateCovered: formatDateTime(w.covered),
  };
}
