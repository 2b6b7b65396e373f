/**
 * Cursor rules for incremental pulls, in one place (cf. Airbyte's SystemModstamp cursor with lookback).
 * Pure: every function takes the clock as an argument.
 *
 * - The cursor field is SystemModstamp: it moves on system and automated updates too, where
 *   LastModifiedDate moves only on user edits
 *   (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm).
 * - Each pull re-reads an overlap window before the watermark, because a Salesforce commit can become
 *   visible with a SystemModstamp older than a query already run (long transactions; Fivetran re-reads
 *   5 minutes: https://fivetran.com/docs/connectors/applications/salesforce/troubleshooting/records-sync-delay). Rows are upserted by Id, so re-reading is idempotent.
 * - Soft deletes arrive through queryAll as IsDeleted rows; purged ones only through getDeleted,
 *   which reaches back at most 15 days (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getdeleted_getdeletedresult.htm). An object whose delete coverage is
 *   older than that cannot be caught up incrementally and must be re-copied.
 */

/** getDeleted answers for at most the last 15 days (the recycle bin keeps them 15 days:
 * https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/langCon_apex_dml_examples_undelete.htm). */
export const GET_DELETED_WINDOW_MS = 15 * 24 * 60 * 60 * 1000;

// Re-copy a day before the hard limit: a cycle paused for hours must not cross it unnoticed.
const TOO_OLD_SAFETY_MS = 24 * 60 * 60 * 1000;

// getDeleted truncates seconds and refuses start >= end (INVALID_REPLICATION_DATE), so a window
// shorter than a minute can be empty or invalid: skip it until the next check.
const MIN_DELETED_WINDOW_MS = 60 * 1000;

/** Where a pull's SOQL window starts: the watermark minus the overlap window. */
export function pullWindowStart(watermark: Date, overlapSeconds: number): Date {
  return new Date(watermark.getTime() - overlapSeconds * 1000);
}

/**
 * The watermark after a pull: the newest SystemModstamp received, but never behind the pull's start
 * minus the overlap window — otherwise an object without changes for weeks would look "too old" although
 * every cycle checked it — and never behind the previous watermark.
 */
export function advanceWatermark(
  previous: Date,
  newestSeen: Date | null,
  pullStartedAt: Date,
  overlapSeconds: number,
): Date {
  const horizon = pullStartedAt.getTime() - overlapSeconds * 1000;
  return new Date(Math.max(previous.getTime(), newestSeen?.getTime() ?? 0, horizon));
}

/** The watermark a finished full copy leaves: its start minus the overlap, so changes during the copy are re-read. */
export function watermarkAfterCopy(copyStartedAt: Date, overlapSeconds: number): Date {
  return new Date(copyStartedAt.getTime() - overlapSeconds * 1000);
}

/** True when deletes are covered only up to a point getDeleted can no longer reach back to (with a day's margin). */
export function isTooOldForIncremental(deletesCoveredUntil: Date, now: Date): boolean {
  return now.getTime() - deletesCoveredUntil.getTime() > GET_DELETED_WINDOW_MS - TOO_OLD_SAFETY_MS;
}

/**
 * The getDeleted window for this pull, or null when none is due: due once `intervalSeconds` have passed
 * since the coverage point, starting the overlap before it, and at least a minute long.
 */
export function deletedWindow(
  deletesCoveredUntil: Date,
  now: Date,
  overlapSeconds: number,
  intervalSeconds: number,
): { start: Date; end: Date } | null {
  if (now.getTime() - deletesCoveredUntil.getTime() < intervalSeconds * 1000) return null;
  const start = new Date(
    Math.max(
      deletesCoveredUntil.getTime() - overlapSeconds * 1000,
      now.getTime() - GET_DELETED_WINDOW_MS + MIN_DELETED_WINDOW_MS,
    ),
  );
  if (now.getTime() - start.getTime() < MIN_DELETED_WINDOW_MS) return null;
  return { start, end: now };
}
