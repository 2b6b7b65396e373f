import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { migrate } from '../../src/db/migrations';
import { startEmulator } from '../../src/emulator/server';
import { countSalesforceCall, instrumentActivities, registry } from '../../src/metrics';
import { SalesforceClient } from '../../src/salesforce/connection';
import { copyObject, testConfig } from '../activities/org';
import { useTestDatabase } from '../support/database';

async function countedCalls(): Promise<number> {
  const metric = await registry.getSingleMetric('tandem_salesforce_api_calls_total')!.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

describe('tandem_salesforce_api_calls_total', () => {
  const db = useTestDatabase();
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("equals Salesforce's own count of API calls after copies (REST and Bulk), pulls and a push", async () => {
    const emulator = await startEmulator({ seed: 'demo', scale: 1 });
    closers.push(() => emulator.stop());
    await migrate(db.current.pool);
    const { oauth } = emulator.credentials;
    const client = await SalesforceClient.connect({
      credentials: {
        flow: 'client-credentials',
        loginUrl: emulator.loginUrl,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
      },
      apiVersion: '62.0',
      onApiCall: countSalesforceCall,
    });
    const activities = instrumentActivities(
      createActivities({ salesforce: client, db: db.current.pool, config: testConfig() }),
    );
    const usedBefore = emulator.context.apiUsage.used;
    const countedBefore = await countedCalls();

    await activities.planCycle({ objects: ['Lead', 'Campaign'] });
    await copyObject(activities, 'Lead'); // above the test's Bulk threshold: job create, polls, result pages
    await copyObject(activities, 'Campaign');
    await activities.pullChanges({ object: 'Lead' });
    await db.current.pool.query(
      `UPDATE salesforce.campaign SET description = 'counted' WHERE id = (SELECT min(id) FROM salesforce.campaign)`,
    );
    await activities.pushChanges({ object: 'Campaign' });
    await activities.planCycle({ objects: ['Lead', 'Campaign'] });

    const used = emulator.context.apiUsage.used - usedBefore;
    expect(used).toBeGreaterThan(5);
    expect((await countedCalls()) - countedBefore).toBe(used);
    const byActivity = (await registry.getSingleMetric('tandem_salesforce_api_calls_total')!.get()).values;
    expect(
      byActivity.find((v) => v.labels.activity === 'copyObjectPages' && v.labels.object === 'Lead')?.value,
    ).toBeGreaterThan(0);
  }, 120_000);
});
