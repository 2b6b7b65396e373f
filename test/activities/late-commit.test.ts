// A Salesforce commit can become visible with a SystemModstamp older than a query already run (a long
// transaction stamps its start time). The pull re-reads the overlap window, so such a row is not missed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObjectState } from '../../src/db/state';
import { useTestDatabase } from '../support/database';
import { copyObject, startTestOrg, type TestOrg } from './org';

const db = useTestDatabase();
let org: TestOrg;

beforeAll(async () => {
  org = await startTestOrg(db.current.pool);
  await copyObject(org.activities, 'Lead', 50);
});
afterAll(async () => {
  await org?.emulator.stop();
});

describe('late commits', () => {
  it('picks up a row committed late with a stamp behind the watermark but inside the overlap window', async () => {
    const early = await org.rep.sobject('Lead').create({ LastName: 'Early', Company: 'Timely' });
    await org.activities.pullChanges({ object: 'Lead' });
    const watermark = (await readObjectState(db.current.pool, 'Lead'))!.watermark!;

    // A transaction that started two minutes ago commits now: its row carries the older stamp.
    org.emulator.context.clock.advance(-120_000);
    const late = await org.rep.sobject('Lead').create({ LastName: 'Late', Company: 'Long Transaction' });
    org.emulator.context.clock.advance(120_000);
    const stamp = (await org.rep.sobject('Lead').retrieve(late.id!)) as { SystemModstamp: string };
    const lateStamp = new Date(stamp.SystemModstamp.replace('+0000', 'Z'));
    expect(lateStamp.getTime()).toBeLessThan(watermark.getTime());
    expect(watermark.getTime() - lateStamp.getTime()).toBeLessThan(org.config.sync.overlapWindowSeconds * 1000);

    await org.activities.pullChanges({ object: 'Lead' });
    const { rows } = await db.current.pool.query(
      'SELECT sfid, lastname FROM salesforce.lead WHERE sfid = ANY($1) ORDER BY lastname',
      [[early.id, late.id]],
    );
    expect(rows).toEqual([
      { sfid: early.id, lastname: 'Early' },
      { sfid: late.id, lastname: 'Late' },
    ]);
  });
});
