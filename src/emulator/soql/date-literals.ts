// SOQL date literals (TODAY, LAST_N_DAYS:n …) as half-open UTC ranges. Salesforce evaluates
// them in the user's time zone; the emulated users all work in UTC.

/** A half-open range [start, end) in epoch seconds. */
export interface SecondsRange {
  start: number;
  end: number;
}

const DAY = 86_400;

function startOfDay(seconds: number): number {
  return Math.floor(seconds / DAY) * DAY;
}

function monthStart(year: number, month: number): number {
  return Date.UTC(year, month, 1) / 1000;
}

/** The range a date literal covers at time `now` (epoch seconds), or null when unsupported. */
export function dateLiteralRange(literal: string, n: number | undefined, now: number): SecondsRange | null {
  const today = startOfDay(now);
  const d = new Date(today * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const weekStart = today - d.getUTCDay() * DAY;
  const k = n ?? 0;
  switch (literal.toUpperCase()) {
    case 'YESTERDAY':
      return { start: today - DAY, end: today };
    case 'TODAY':
      return { start: today, end: today + DAY };
    case 'TOMORROW':
      return { start: today + DAY, end: today + 2 * DAY };
    case 'LAST_WEEK':
      return { start: weekStart - 7 * DAY, end: weekStart };
    case 'THIS_WEEK':
      return { start: weekStart, end: weekStart + 7 * DAY };
    case 'NEXT_WEEK':
      return { start: weekStart + 7 * DAY, end: weekStart + 14 * DAY };
    case 'LAST_MONTH':
      return { start: monthStart(y, m - 1), end: monthStart(y, m) };
    case 'THIS_MONTH':
      return { start: monthStart(y, m), end: monthStart(y, m + 1) };
    case 'NEXT_MONTH':
      return { start: monthStart(y, m + 1), end: monthStart(y, m + 2) };
    case 'LAST_YEAR':
      return { start: monthStart(y - 1, 0), end: monthStart(y, 0) };
    case 'THIS_YEAR':
      return { start: monthStart(y, 0), end: monthStart(y + 1, 0) };
    case 'NEXT_YEAR':
      return { start: monthStart(y + 1, 0), end: monthStart(y + 2, 0) };
    case 'LAST_90_DAYS':
      return { start: today - 90 * DAY, end: today + DAY };
    case 'NEXT_90_DAYS':
      return { start: today + DAY, end: today + 91 * DAY };
    // LAST_N_DAYS:n covers today and the n days before it (SOQL date formats reference).
    case 'LAST_N_DAYS':
      return { start: today - k * DAY, end: today + DAY };
    case 'NEXT_N_DAYS':
      return { start: today + DAY, end: today + (k + 1) * DAY };
    case 'N_DAYS_AGO':
      return { start: today - k * DAY, end: today - (k - 1) * DAY };
    case 'LAST_N_WEEKS':
      return { start: weekStart - k * 7 * DAY, end: weekStart };
    case 'NEXT_N_WEEKS':
      return { start: weekStart + 7 * DAY, end: weekStart + (k + 1) * 7 * DAY };
    case 'LAST_N_MONTHS':
      return { start: monthStart(y, m - k), end: monthStart(y, m) };
    case 'NEXT_N_MONTHS':
      return { start: monthStart(y, m + 1), end: monthStart(y, m + 1 + k) };
    default:
      return null;
  }
}
