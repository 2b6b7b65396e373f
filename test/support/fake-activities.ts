import { activityInfo, heartbeat } from '@temporalio/activity';
import { toActivityFailure } from '../../src/activities/errors';
import { SalesforceApiError } from '../../src/salesforce/connection';
import type { SyncActivities } from '../../src/activities';
import type { CopyProgress, CopyReason, CyclePlan } from '../../src/shared';

/** How the fake org behaves. */
export interface FakeSyncOptions {
  /** Objects whose initial copy is already complete at start (default: all of them). */
  copied?: string[];
  /** Pages in one object's full copy. */
  pagesPerObject?: number;
  /** Delay per copied page, so tests can observe a copy in progress. */
  pageDelayMs?: number;
  /** Pull failures per object: a count of retryable failures before success, or 'permanent'. */
  pullFailures?: Record<string, number | 'permanent'>;
  /** Throw once, after heartbeating this page, during the copy of this object. */
  copyCrashAt?: { object: string; page: number };
  /** Objects whose page copy hits a RangeError, as a bug in Tandem's copy code would, on every attempt. */
  copyBug?: string[];
  /** Objects whose page copy fails on every attempt with an error no classification rule knows. */
  copyUnexpectedFailure?: string[];
}

/** One recorded activity call. */
export interface FakeCall {
  activity: keyof SyncActivities;
  object?: string;
  attempt: number;
  at: number;
}

/**
 * Test doubles of the sync activities that keep their "database" in memory: which objects are
 * copied, each copy's checkpoint, and every call made. They run on a real Temporal worker, so
 * retries, heartbeats and timeouts are Temporal's own.
 */
export class FakeSync {
  readonly calls: FakeCall[] = [];
  readonly copied: Set<string>;
  /** Page numbers fetched per object, in order: shows where a retried copy resumed. */
  readonly pagesFetched = new Map<string, number[]>();
  private readonly checkpoint = new Map<string, number>();
  private readonly pullFailuresLeft = new Map<string, number | 'permanent'>();
  private crashPending: FakeSyncOptions['copyCrashAt'];

  constructor(
    readonly objects: string[],
    readonly options: FakeSyncOptions = {},
  ) {
    this.copied = new Set(options.copied ?? objects);
    for (const [object, failures] of Object.entries(options.pullFailures ?? {}))
      this.pullFailuresLeft.set(object, failures);
    this.crashPending = options.copyCrashAt;
  }

  /** Calls of one activity, optionally for one object. */
  callsOf(activity: keyof SyncActivities, object?: string): FakeCall[] {
    return this.calls.filter((c) => c.activity === activity && (object === undefined || c.object === object));
  }

  private log(activity: keyof SyncActivities, object?: string): void {
    this.calls.push({ activity, object, attempt: activityInfo().attempt, at: Date.now() });
  }

  activities(): SyncActivities {
    const pages = this.options.pagesPerObject ?? 3;
    return {
      planCycle: async ({ objects }): Promise<CyclePlan> => {
        this.log('planCycle');
        return {
          needsCopy: objects
            .filter((o) => !this.copied.has(o))
            .map((object) => ({ object, reason: 'never-copied' as CopyReason })),
          apiUsage: { used: this.calls.length, limit: 15_000 },
          throttled: false,
        };
      },
      pullChanges: async ({ object }) => {
        this.log('pullChanges', object);
        const failures = this.pullFailuresLeft.get(object);
        // Failures as the real pull throws them: Salesforce's error, classified by src/activities/errors.ts.
        if (failures === 'permanent') {
          const error = new SalesforceApiError(
            `No such column 'Broken__c' on entity '${object}'`,
            'INVALID_FIELD',
            400,
          );
          throw toActivityFailure(error, { object, call: 'queryAll' });
        }
        if (typeof failures === 'number' && failures > 0) {
          this.pullFailuresLeft.set(object, failures - 1);
          throw toActivityFailure(new SalesforceApiError('Server temporarily unavailable', 'SERVER_UNAVAILABLE', 503), {
            object,
            call: 'queryAll',
          });
        }
        return { object, rowsPulled: 2, rowsDeleted: 0, watermark: new Date().toISOString(), apiCalls: 1 };
      },
      pushChanges: async ({ object }) => {
        this.log('pushChanges', object);
        return { object, rowsPushed: 1, rowsFailed: 0, backlog: 0, apiCalls: 1 };
      },
      startInitialCopy: async ({ object }) => {
        this.log('startInitialCopy', object);
        this.copied.delete(object);
        this.checkpoint.set(object, 0);
      },
      copyObjectPages: async ({ object, maxPages }): Promise<CopyProgress> => {
        this.log('copyObjectPages', object);
        try {
          // A real RangeError ('x'.repeat(-1): "Invalid count value"), wrapped the way copy.ts wraps every failure.
          if (this.options.copyBug?.includes(object)) 'x'.repeat(-1);
          if (this.options.copyUnexpectedFailure?.includes(object))
            throw new Error(`the page of ${object} came back in a shape nobody expected`);
        } catch (error) {
          throw toActivityFailure(error, { object, call: 'copyObjectPages' });
        }
        const resumed = (activityInfo().heartbeatDetails as { page: number } | undefined)?.page;
        let page = resumed ?? this.checkpoint.get(object) ?? 0;
        const fetched = this.pagesFetched.get(object) ?? [];
        this.pagesFetched.set(object, fetched);
        for (let n = 0; n < maxPages && page < pages; n++) {
          page += 1;
          fetched.push(page);
          if (this.options.pageDelayMs) await new Promise((r) => setTimeout(r, this.options.pageDelayMs));
          heartbeat({ page });
          if (this.crashPending?.object === object && this.crashPending.page === page) {
            this.crashPending = undefined;
            // Give the throttled heartbeat time to reach the server before the attempt fails.
            await new Promise((r) => setTimeout(r, 1500));
            throw new Error(`worker lost while copying ${object} after page ${page}`);
          }
        }
        this.checkpoint.set(object, page);
        const done = page >= pages;
        if (done) this.copied.add(object);
        return { object, done, rowsCopied: page * 100, totalRows: pages * 100, pagesCopied: page };
      },
    };
  }
}
