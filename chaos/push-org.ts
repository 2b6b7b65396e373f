// The push tests' org (and the convergence run's): an empty emulated org (users only) with the sync user's copy of
// the person and campaign objects in a test database, and a `cycle` that runs what the continuous
// sync workflow runs each cycle — pull every object, then push each two-way object.
import type pg from 'pg';
import { createActivities, type SyncActivities } from '../src/activities';
import { DEFAULT_SYNC_OBJECTS } from '../src/shared';
import { copyObject, startTestOrg, testConfig, type TestOrg } from './org-kit';
import type { PushResult } from '../src/shared';

/** The objects the push tests copy, in the workflow's order. */
export const PUSH_TEST_OBJECTS = ['Account', 'Contact', 'Lead', 'Campaign', 'CampaignMemberStatus', 'CampaignMember'];

/** An empty org copied into the test database. */
export interface PushOrg extends TestOrg {
  pool: pg.Pool;
  /** Activities with config overrides (same org, database and clock). */
  withConfig(overrides: Record<string, unknown>): SyncActivities;
  /** One sync cycle: pull every object, then push every two-way object; returns the push results by object. */
  cycle(activities?: SyncActivities): Promise<Record<string, PushResult>>;
  /** Runs SQL on the test database (as a marketing-side writer). */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** Starts an empty org and copies the push test objects. */
export async function startPushOrg(pool: pg.Pool, overrides: Record<string, unknown> = {}): Promise<PushOrg> {
  const org = await startTestOrg(pool, { seed: 'empty', config: testConfig(overrides) });
  for (const object of PUSH_TEST_OBJECTS) await copyObject(org.activities, object);
  const twoWay = new Set(DEFAULT_SYNC_OBJECTS.filter((o) => o.direction === 'two-way').map((o) => o.name));
  return {
    ...org,
    pool,
    withConfig: (more) =>
      createActivities({ salesforce: org.sync, db: pool, config: testConfig({ ...overrides, ...more }), now: org.now }),
    async cycle(activities = org.activities) {
      const results: Record<string, PushResult> = {};
      for (const object of PUSH_TEST_OBJECTS) await activities.pullChanges({ object });
      for (const object of PUSH_TEST_OBJECTS)
        if (twoWay.has(object)) results[object] = await activities.pushChanges({ object });
      return results;
    },
    async sql(text, params) {
      return (await pool.query(text, params)).rows;
    },
  };
}
