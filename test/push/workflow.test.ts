// The push inside the real continuous sync: a worker on the suite's Temporal dev server runs the
// real activities against the emulator and PostgreSQL; a marketing change reaches Salesforce after
// `syncNow`, a Salesforce change comes back, and `status` shows the push counts; a resync re-drives
// sync errors.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SyncObject } from '../../src/shared';
import { continuousSyncWorkflow } from '../../src/workflows';
import { resyncSignal, statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { useTestDatabase } from '../support/database';
import { eventually, useTemporal } from '../support/temporal';
import { PUSH_TEST_OBJECTS, startPushOrg, type PushOrg } from './support';

const db = useTestDatabase();
const temporal = useTemporal();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

const TWO_WAY = new Set(['Contact', 'Lead', 'Campaign', 'CampaignMember']);
const objects: SyncObject[] = PUSH_TEST_OBJECTS.map((name) => ({
  name,
  direction: TWO_WAY.has(name) ? 'two-way' : 'from-salesforce',
}));

it('pushes a marketing change after syncNow, brings Salesforce changes back, shows push counts in status, re-drives errors on resync', async () => {
  const lead = await org.rep
    .sobject('Lead')
    .create({ LastName: 'Workflow', Company: 'Temporal Co', Email: 'wf@temporal.test' });
  const taskQueue = temporal.current.taskQueue();
  await temporal.current.withWorker(taskQueue, org.activities, async () => {
    const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
      taskQueue,
      workflowId: `push-${taskQueue}`,
      args: [{ objects, pauseBetweenCycles: '1 hour' }],
    });
    const [row] = await eventually(() =>
      org
        .sql<{ id: string }>(`SELECT id FROM salesforce.lead WHERE sfid = $1`, [lead.id])
        .then((r) => (r.length ? r : undefined)),
    );
    await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');

    // Marketing → Salesforce.
    await org.sql(`UPDATE salesforce.lead SET title = 'Pushed by the workflow' WHERE id = $1`, [row!.id]);
    const bad = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status) VALUES ('Bad', 'Temporal Co', 'Working - Contacted') RETURNING id`,
    );
    await handle.signal(syncNowSignal);
    await eventually(async () =>
      (await org.rep.sobject('Lead').retrieve(lead.id!)).Title === 'Pushed by the workflow' ? true : undefined,
    );
    const status = await eventually(async () => {
      const s = await handle.query(statusQuery);
      return s.phase === 'waiting' && s.objects.Lead?.lastPush?.rowsPushed === 1 ? s : undefined;
    });
    expect(status.objects.Lead!.lastPush).toMatchObject({ ok: true, rowsPushed: 1, rowsFailed: 1, backlog: 0 });
    expect(status.objects.Contact!.lastPush).toMatchObject({ ok: true, rowsPushed: 0 });

    // Salesforce → marketing, and the push's own change is not pushed again.
    await org.rep.sobject('Lead').update({ Id: lead.id!, Phone: '555-0300' });
    const pushedBefore = Number((await org.sql<{ n: string }>(`SELECT count(*) AS n FROM tandem.outbox`))[0]!.n);
    await handle.signal(syncNowSignal);
    await eventually(async () =>
      (await org.sql(`SELECT phone FROM salesforce.lead WHERE id = $1`, [row!.id]))[0]?.phone === '555-0300'
        ? true
        : undefined,
    );
    await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');
    expect(Number((await org.sql<{ n: string }>(`SELECT count(*) AS n FROM tandem.outbox`))[0]!.n)).toBe(pushedBefore);

    // A resync re-drives the sync error: the row is sent again (and, still invalid, fails again —
    // its attempts count up on the same open error).
    await handle.signal(resyncSignal, { objects: ['Lead'] });
    await eventually(async () => ((await handle.query(statusQuery)).initialCopy.Lead?.done ? true : undefined), 60_000);
    // Pushes resume with the cycle after the copy.
    await handle.signal(syncNowSignal);
    await eventually(async () => {
      const e = await org.sql<{ attempts: number }>(
        `SELECT attempts FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1 AND resolved_at IS NULL`,
        [bad[0]!.id],
      );
      return e[0] && e[0].attempts >= 2 ? true : undefined;
    }, 60_000);
    await handle.terminate();
  });
}, 120_000);
