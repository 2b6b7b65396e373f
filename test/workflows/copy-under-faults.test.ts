// The initial copy under a 50% fault rate on real Temporal: 503s and expired sessions (two in a row
// make a failed refresh) hit half the API calls, and the copy still finishes every object, row for row.
// Before the fix a failed refresh was permanent (the object dropped out of the copy queue) and the
// retries of a batch backed off to five minutes while pages were in fact being copied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { SalesforceClient } from '../../src/salesforce/connection';
import { initialCopyWorkflow } from '../../src/workflows';
import { API_VERSION, expectCopyEqualsOrg, startTestOrg, testConfig, type TestOrg } from '../activities/org';
import { useTestDatabase } from '../support/database';
import { useTemporal } from '../support/temporal';

const db = useTestDatabase();
const temporal = useTemporal();
let org: TestOrg;

const OBJECTS = ['Account', 'Lead'];

beforeAll(async () => {
  // REST keyset pages (one call each); the Bulk path's polling is covered by its own tolerance of failed polls.
  org = await startTestOrg(db.current.pool, { config: testConfig({ bulkQueryThreshold: 100_000 }) });
});
afterAll(async () => {
  await org?.emulator.stop();
});

describe('the initial copy under faults', () => {
  it('finishes every object when half the Salesforce calls fail', { timeout: 150_000 }, async () => {
    const { oauth } = org.emulator.credentials;
    // No transport retries: every injected fault reaches the activity.
    const client = await SalesforceClient.connect({
      credentials: {
        flow: 'client-credentials',
        loginUrl: org.emulator.loginUrl,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
      },
      apiVersion: API_VERSION,
      transportRetries: 0,
    });
    const activities = createActivities({ salesforce: client, db: db.current.pool, config: org.config, now: org.now });
    // 0.3 + 0.7 × 0.3 ≈ 51% of data API calls fail; logins are left alone (a refused login is a verdict).
    await org.admin('POST', '/faults/reseed', { seed: 3 });
    // Two 401s in a row on one query: the refreshed session fails again (SalesforceSessionError) for sure.
    await org.admin('POST', '/faults', { kind: 'invalid-session', path: '/services/data/*/query*', count: 2, skip: 2 });
    await org.admin('POST', '/faults', { kind: 'server-unavailable', path: '/services/data/*', probability: 0.3 });
    await org.admin('POST', '/faults', { kind: 'invalid-session', path: '/services/data/*', probability: 0.3 });
    const taskQueue = temporal.current.taskQueue();
    const progress = await temporal.current.withWorker(taskQueue, activities, () =>
      temporal.current.client.workflow.execute(initialCopyWorkflow, {
        taskQueue,
        workflowId: `copy-under-faults-${taskQueue}`,
        args: [
          {
            parentWorkflowId: `absent-parent-${taskQueue}`,
            queue: OBJECTS.map((object) => ({ object, reason: 'never-copied' as const })),
            pagesPerActivity: 50,
          },
        ],
      }),
    );
    const counters = await org.admin<{ faultsByKind: Record<string, number> }>('GET', '/counters');
    await org.admin('DELETE', '/faults');
    expect(counters.faultsByKind['invalid-session']).toBeGreaterThanOrEqual(2);
    for (const object of OBJECTS) expect(progress[object], object).toMatchObject({ done: true });
    for (const object of OBJECTS) await expectCopyEqualsOrg(org, db.current.pool, object);
  });
});
