// Org identity under the real continuous sync: an org behind the same login URL that is not the
// bound one (a re-seeded demo org, a refreshed sandbox) stops the sync in a reported state with
// nothing changed on either side; the bound org answering again resumes it with nothing lost; and
// `tandem rebind` moves the schema to the new org doing what its plan says, pending changes included.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { SyncActivities } from '../../src/activities';
import { EXIT, run, type CliIo } from '../../src/cli';
import type { SyncObject } from '../../src/shared';
import { continuousSyncWorkflow } from '../../src/workflows';
import { statusQuery, syncNowSignal, type SyncStatus } from '../../src/workflows/messages';
import { useTestDatabase } from '../support/database';
import { startSwappableOrg, type SwappableOrg } from '../support/swappable-org';
import { eventually, useTemporal } from '../support/temporal';

const db = useTestDatabase();
const temporal = useTemporal();
let orgs: SwappableOrg;
let activities: SyncActivities;

const objects: SyncObject[] = [
  { name: 'Account', direction: 'from-salesforce' },
  { name: 'Contact', direction: 'two-way' },
  { name: 'Lead', direction: 'two-way' },
];

beforeAll(async () => {
  orgs = await startSwappableOrg('empty');
  activities = await orgs.activities(db.current.pool);
});
afterAll(async () => {
  await orgs?.stop();
});

async function sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
  return (await db.current.pool.query(text, params)).rows as T[];
}

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

it('stops on another org with nothing changed, resumes on the bound one, and re-binds on purpose as the plan says', async () => {
  const first = orgs.first.context.store.orgId;
  const second = orgs.second.context.store.orgId;
  const taskQueue = temporal.current.taskQueue();
  const workflowId = `org-${taskQueue}`;
  await temporal.current.withWorker(taskQueue, activities, async () => {
    const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
      taskQueue,
      workflowId,
      args: [{ objects, pauseBetweenCycles: '1 hour' }],
    });
    const synced = (s: SyncStatus): boolean =>
      s.phase === 'waiting' && Object.values(s.objects).every((o) => o.state === 'syncing' && o.lastPull?.ok);
    const settle = async (): Promise<SyncStatus> => {
      const cycle = (await handle.query(statusQuery)).cycle;
      await handle.signal(syncNowSignal);
      return eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.cycle > cycle && (s.phase === 'waiting' || s.phase === 'org-mismatch') ? s : undefined;
      }, 60_000);
    };
    await eventually(async () => {
      const s = await handle.query(statusQuery);
      return objects.every((o) => s.initialCopy[o.name]?.done) ? true : undefined;
    }, 60_000);
    expect(synced(await settle())).toBe(true); // pulls and pushes run in the cycles after the copies
    expect((await handle.query(statusQuery)).org).toMatchObject({ orgId: first, instanceUrl: orgs.url });

    // A person created in the bound org, then marketing edits waiting for the next push.
    const person = await orgs.first.context.store.withWriter(
      orgs.first.context.store.users.get(orgs.first.credentials.rep.userId)!,
      {},
      (w) => w.apply({ op: 'create', type: 'Lead', values: { LastName: 'Bound', Company: 'Acme' } }),
    );
    await settle();
    await sql(`UPDATE salesforce.lead SET title = 'Edited before the swap' WHERE sfid = $1`, [person.id]);
    await sql(`INSERT INTO salesforce.lead (lastname, company) VALUES ('NewInMarketing', 'Acme')`);
    const localBefore = await sql(`SELECT id, sfid, lastname, title FROM salesforce.lead ORDER BY id`);
    const outboxBefore = await sql(`SELECT id, status FROM tandem.outbox ORDER BY id`);

    // The other org answers: the sync stops, says so with both ids, and touches nothing.
    await orgs.serve(orgs.second);
    let status = await settle();
    if (!status.orgMismatch) status = await settle(); // the first cycle's pull meets the refresh; the next plan reports it
    expect(status.phase).toBe('org-mismatch');
    expect(status.orgMismatch).toMatchObject({ bound: { orgId: first }, connected: { orgId: second } });
    expect(status.notices.at(-1)).toContain(`sync stopped: schema "salesforce" belongs to Salesforce org ${first}`);
    const quiet = await settle(); // another cycle: still stopped, no retry storm, nothing touched
    expect(quiet.phase).toBe('org-mismatch');
    expect(await sql(`SELECT id, sfid, lastname, title FROM salesforce.lead ORDER BY id`)).toEqual(localBefore);
    expect(await sql(`SELECT id, status FROM tandem.outbox ORDER BY id`)).toEqual(outboxBefore);
    expect(orgs.second.context.store.table('Lead').rows.size).toBe(0);

    // The rebind plan names both orgs and the pending changes, and changes nothing.
    const common = ['--address', inject('temporalAddress'), '--workflow-id', workflowId];
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db.current.url;
    try {
      let io = captureIo();
      expect(await run([...common, 'rebind'], io), io.stderr.join('\n')).toBe(EXIT.ok);
      const plan = io.stdout.join('\n');
      expect(plan).toContain(`bound to Salesforce org ${first}`);
      expect(plan).toContain(`The credentials log into org ${second}`);
      expect(plan).toMatch(/Lead: 1 new rows \(created in the new org\), 1 changes to linked records/);
      expect(plan).toContain(`tandem rebind --confirm ${second}`);
      expect(await sql(`SELECT org_id FROM tandem.org_binding`)).toEqual([{ org_id: first }]);

      // The bound org is back: the sync resumes by itself and the pending edits reach it.
      await orgs.serve(orgs.first);
      status = await settle();
      if (status.orgMismatch) status = await settle();
      expect(status.orgMismatch).toBeUndefined();
      expect(status.notices.at(-1)).toContain('sync resumed');
      await eventually(async () =>
        orgs.first.context.store.getRecord(
          orgs.first.context.store.users.get(orgs.first.credentials.rep.userId)!,
          person.id!,
        )
          ? true
          : undefined,
      );
      await eventually(async () => {
        const rows = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM tandem.outbox WHERE status IN ('pending', 'failed')`,
        );
        return rows[0]!.n === 0 ? true : (await settle(), undefined);
      }, 60_000);
      const store = orgs.first.context.store;
      expect(store.read('Lead', store.table('Lead').rows.get(person.id!)!, 'Title')).toBe('Edited before the swap');

      // A new marketing row waits; the other org answers again; this time the operator re-binds.
      await sql(`INSERT INTO salesforce.lead (lastname, company) VALUES ('ForTheNewOrg', 'Acme')`);
      await orgs.serve(orgs.second);
      status = await settle();
      if (!status.orgMismatch) status = await settle();
      expect(status.orgMismatch?.connected.orgId).toBe(second);
      io = captureIo();
      expect(await run([...common, 'rebind', '--confirm', first], io)).toBe(EXIT.badInput);
      expect(io.stderr.join('\n')).toContain(
        `does not name the org the credentials reach (${second}); nothing changed`,
      );
      io = captureIo();
      expect(await run([...common, 'rebind', '--confirm', second], io), io.stderr.join('\n')).toBe(EXIT.ok);
      expect(io.stdout.join('\n')).toContain(`now bound to org ${second} (was ${first})`);
      expect(io.stdout.join('\n')).toContain('1 pending marketing-side changes were kept');

      // As promised: every object copied from the new org, the old org's records marked deleted, the pending row created there.
      await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.org?.orgId === second &&
          objects.every((o) => s.initialCopy[o.name]?.reason === 'org-rebound' && s.initialCopy[o.name]?.done)
          ? true
          : undefined;
      }, 60_000);
      expect(synced(await settle())).toBe(true);
      await eventually(async () => {
        // Created in the new org, and its sfid written back (the push commits that after Salesforce answers).
        const created = [...orgs.second.context.store.table('Lead').rows.values()].length;
        const [local] = await sql<{ sfid: string | null }>(
          `SELECT sfid FROM salesforce.lead WHERE lastname = 'ForTheNewOrg'`,
        );
        return created === 1 && local?.sfid ? true : (await settle(), undefined);
      }, 60_000);
      const rows = await sql<{ lastname: string; sfid: string | null; isdeleted: boolean }>(
        `SELECT lastname, sfid, isdeleted FROM salesforce.lead ORDER BY id`,
      );
      expect(rows.find((r) => r.lastname === 'ForTheNewOrg')!.isdeleted ?? false).toBe(false);
      expect(rows.find((r) => r.lastname === 'ForTheNewOrg')!.sfid).toMatch(/^00Q/);
      // The old org's rows are marked deleted and no longer hold its ids, which the new org hands out again.
      expect(rows.filter((r) => r.lastname !== 'ForTheNewOrg').every((r) => r.isdeleted && r.sfid === null)).toBe(true);
      expect(await sql(`SELECT from_org_id, to_org_id, pending_kept FROM tandem.org_rebind_log`)).toEqual([
        { from_org_id: first, to_org_id: second, pending_kept: 1 },
      ]);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    await handle.terminate();
  });
}, 240_000);
