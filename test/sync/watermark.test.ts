import { describe, expect, it } from 'vitest';
import {
  advanceWatermark,
  deletedWindow,
  GET_DELETED_WINDOW_MS,
  isTooOldForIncremental,
  pullWindowStart,
  watermarkAfterCopy,
} from '../../src/sync/watermark';

const t = (iso: string) => new Date(iso);
const DAY = 24 * 3600 * 1000;

describe('watermark rules', () => {
  it('starts each pull the overlap window before the watermark', () => {
    expect(pullWindowStart(t('2024-05-01T12:00:00Z'), 300)).toEqual(t('2024-05-01T11:55:00Z'));
  });

  it('leaves a finished copy at its start minus the overlap', () => {
    expect(watermarkAfterCopy(t('2024-05-01T12:00:00Z'), 300)).toEqual(t('2024-05-01T11:55:00Z'));
  });

  it('advances to the newest stamp seen, never backwards', () => {
    const previous = t('2024-05-01T10:00:00Z');
    expect(advanceWatermark(previous, t('2024-05-01T11:00:00Z'), t('2024-05-01T11:01:00Z'), 300)).toEqual(
      t('2024-05-01T11:00:00Z'),
    );
    expect(advanceWatermark(previous, t('2024-05-01T09:00:00Z'), t('2024-05-01T09:01:00Z'), 300)).toEqual(previous);
  });

  it('advances a quiet object to the pull start minus the overlap, so it never looks stale', () => {
    const previous = t('2024-05-01T10:00:00Z');
    expect(advanceWatermark(previous, null, t('2024-05-20T10:00:00Z'), 300)).toEqual(t('2024-05-20T09:55:00Z'));
  });

  it('calls a watermark too old a day before getDeleted stops reaching it', () => {
    const now = t('2024-05-16T00:00:00Z');
    expect(isTooOldForIncremental(new Date(now.getTime() - 13 * DAY), now)).toBe(false);
    expect(isTooOldForIncremental(new Date(now.getTime() - 14 * DAY - 1000), now)).toBe(true);
  });

  it('asks getDeleted only when the interval has passed, from the overlap before the coverage point', () => {
    const covered = t('2024-05-01T10:00:00Z');
    expect(deletedWindow(covered, t('2024-05-01T10:30:00Z'), 300, 3600)).toBeNull();
    expect(deletedWindow(covered, t('2024-05-01T11:00:00Z'), 300, 3600)).toEqual({
      start: t('2024-05-01T09:55:00Z'),
      end: t('2024-05-01T11:00:00Z'),
    });
  });

  it('never asks getDeleted for more than its 15-day reach, nor for less than a minute', () => {
    const now = t('2024-06-01T00:00:00Z');
    const window = deletedWindow(t('2024-01-01T00:00:00Z'), now, 300, 0)!;
    expect(now.getTime() - window.start.getTime()).toBeLessThan(GET_DELETED_WINDOW_MS);
    expect(deletedWindow(t('2024-06-01T00:00:30Z'), t('2024-06-01T00:00:40Z'), 0, 0)).toBeNull();
  });
});
