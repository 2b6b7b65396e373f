// Durability of the initial copy and schema drift: a copy interrupted mid-page resumes from its last
// checkpointed page (counted Bulk result page requests prove it never starts over), and a field
// that becomes visible to the sync user appears as a column.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCopyCheckpoint } from '../../src/db/state';
import { INTEGRATION_PROFILE } from '../../src/emulator/users';
import type { CopyProgress } from '../../src/shared';
import { useTestDatabase } from '../support/database';
import { copyObject, startTestOrg, testConfig, type TestOrg } from './org';

const db = useTestDatabase();
let org: TestOrg;
const realFetch = globalThis.fetch;

/** Counts Bulk result page requests; can cut the body of one of them halfway, like a dying worker's socket. */
const bulkPages = { requested: 0, cutAt: 0 };
function interceptBulkResults(): void {
  globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const response = await realFetch(input, init);
    if (!/\/jobs\/query\/[^/]+\/results/.test(url)) return response;
    bulkPages.requested++;
    if (bulkPages.requested !== bulkPages.cutAt) return response;
    const text = await response.text();
    const half = text.slice(0, Math.floor(text.length / 2));
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode(half));
        } else {
          controller.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

beforeAll(async () => {
  // Small Bulk pages so Lead and Contact each span several result pages.
  org = await startTestOrg(db.current.pool, { config: testConfig({ bulkQueryThreshold: 50, bulkResultPageSize: 60 }) });
  interceptBulkResults();
});
afterEach(() => {
  bulkPages.cutAt = 0;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await org?.emulator.stop();
});

describe('copy durability', () => {
  it('resumes a copy cut off mid-page from its last checkpointed page, never from zero', async () => {
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    await env.run(org.activities.startInitialCopy, { object: 'Lead', reason: 'never-copied' as const });
    // The first call copies pages 1–3 and is cut off while streaming page 4: a transient failure after
    // committed pages returns that progress (so retries do not back off while the copy moves).
    bulkPages.requested = 0;
    bulkPages.cutAt = 4;
    const cut = (await env.run(org.activities.copyObjectPages, {
      object: 'Lead',
      reason: 'never-copied' as const,
      maxPages: 100,
    })) as CopyProgress;
    expect(cut).toMatchObject({ object: 'Lead', done: false, pagesCopied: 3 });
    const checkpoint = (await readCopyCheckpoint(db.current.pool, 'Lead'))!;
    expect(checkpoint.mode).toBe('bulk');
    expect(checkpoint.pagesCopied).toBe(3);
    expect(checkpoint.rowsCopied).toBe(3 * org.config.sync.bulkResultPageSize);
    expect(heartbeats.at(-1)).toMatchObject({ pagesCopied: 3, rowsCopied: checkpoint.rowsCopied });
    const partial = await db.current.pool.query('SELECT count(*)::int AS n FROM salesforce.lead');
    expect(partial.rows[0].n).toBe(checkpoint.rowsCopied);

    // The next call (with the heartbeat details, as Temporal would hand them over) fetches page 4 again, then the rest.
    const retry = new MockActivityEnvironment({ heartbeatDetails: heartbeats.at(-1), attempt: 2 });
    const progress = (await retry.run(org.activities.copyObjectPages, {
      object: 'Lead',
      reason: 'never-copied' as const,
      maxPages: 100,
    })) as CopyProgress;
    expect(progress.done).toBe(true);
    expect(progress.rowsCopied).toBe(progress.totalRows);
    const totalPages = Math.ceil(progress.totalRows! / org.config.sync.bulkResultPageSize);
    expect(progress.pagesCopied).toBe(totalPages);
    // Every page fetched once, plus the one that was cut off: nothing started over.
    expect(bulkPages.requested).toBe(totalPages + 1);
    const copied = await db.current.pool.query('SELECT count(*)::int AS n FROM salesforce.lead');
    expect(copied.rows[0].n).toBe(progress.totalRows);
  });

  it('stops after maxPages so the workflow can continue-as-new, and continues from there', async () => {
    await org.activities.startInitialCopy({ object: 'Contact', reason: 'resync-requested' });
    const first = await org.activities.copyObjectPages({ object: 'Contact', reason: 'resync-requested', maxPages: 1 });
    expect(first).toMatchObject({ done: false, pagesCopied: 1 });
    const second = await org.activities.copyObjectPages({ object: 'Contact', reason: 'resync-requested', maxPages: 1 });
    expect(second.pagesCopied).toBe(2);
    let last = second;
    while (!last.done)
      last = await org.activities.copyObjectPages({ object: 'Contact', reason: 'resync-requested', maxPages: 1 });
    expect(last.rowsCopied).toBe(last.totalRows);
  });

  it('pages small objects through REST by Id, resuming from the last Id', async () => {
    const calls = await copyObject(org.activities, 'CampaignMemberStatus', 1);
    const checkpoint = (await readCopyCheckpoint(db.current.pool, 'CampaignMemberStatus'))!;
    expect(checkpoint.mode).toBe('rest');
    expect(checkpoint.lastId).toMatch(/^01Y/);
    expect(calls).toBe(checkpoint.pagesCopied);
  });
});

describe('schema drift', () => {
  afterAll(() => {
    INTEGRATION_PROFILE.hiddenFields.get('lead')!.add('annualrevenue');
  });

  it('adds a column for a field that becomes visible, and fills it on the next resync', async () => {
    await copyObject(org.activities, 'Lead', 50);
    const before = await db.current.pool.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = 'salesforce' AND table_name = 'lead' AND column_name = 'annualrevenue'`,
    );
    expect(before.rowCount).toBe(0);
    // An admin grants the sync user field-level access to Lead.AnnualRevenue.
    INTEGRATION_PROFILE.hiddenFields.get('lead')!.delete('annualrevenue');
    await org.activities.pullChanges({ object: 'Lead' });
    const after = await db.current.pool.query(
      `SELECT data_type, numeric_precision FROM information_schema.columns WHERE table_schema = 'salesforce' AND table_name = 'lead' AND column_name = 'annualrevenue'`,
    );
    expect(after.rows).toEqual([{ data_type: 'numeric', numeric_precision: 18 }]);
    const withRevenue = await org.rep.query<{ Id: string; AnnualRevenue: number }>(
      'SELECT Id, AnnualRevenue FROM Lead WHERE AnnualRevenue != null LIMIT 5',
    );
    expect(withRevenue.records.length).toBeGreaterThan(0);
    await copyObject(org.activities, 'Lead', 50);
    for (const record of withRevenue.records) {
      const { rows } = await db.current.pool.query(
        'SELECT annualrevenue::float AS revenue FROM salesforce.lead WHERE sfid = $1',
        [record.Id],
      );
      expect(rows[0]?.revenue).toBe(record.AnnualRevenue);
    }
  });

  it('fails permanently, naming the object and fields, when the sync user loses a field the sync needs', async () => {
    INTEGRATION_PROFILE.hiddenFields.get('lead')!.add('masterrecordid');
    try {
      await expect(
        org.activities.startInitialCopy({ object: 'Lead', reason: 'resync-requested' }),
      ).rejects.toMatchObject({
        nonRetryable: true,
        message: expect.stringMatching(/Lead: startInitialCopy failed.*MasterRecordId/),
      });
    } finally {
      INTEGRATION_PROFILE.hiddenFields.get('lead')!.delete('masterrecordid');
    }
  });
});
