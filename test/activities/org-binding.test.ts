// Org binding: the first sync records which org the data schema belongs to; credentials that reach
// another org (a re-seeded demo org, a refreshed sandbox, a wrong SF_LOGIN_URL) pull, copy and push
// nothing — not even after a session refresh in the middle of an activity — and the same activities
// resume by themselves when the bound org answers again.
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type SyncActivities } from '../../src/activities';
import { readOrgBinding } from '../../src/db/org-binding';
import { SalesforceClient } from '../../src/salesforce/connection';
import { useTestDatabase } from '../support/database';
import { startSwappableOrg, type SwappableOrg } from '../support/swappable-org';
import { API_VERSION, copyObject, testConfig } from './org';

const db = useTestDatabase();
let orgs: SwappableOrg;
let activities: SyncActivities;

async function rows(sql: string): Promise<unknown[]> {
  return (await db.current.pool.query(sql)).rows;
}

async function failureOf(run: Promise<unknown>, name: string): Promise<ApplicationFailure> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${name} must fail`).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

beforeAll(async () => {
  orgs = await startSwappableOrg('empty');
  activities = await orgs.activities(db.current.pool);
  for (const object of ['Account', 'Contact', 'Lead']) await copyObject(activities, object);
});
afterAll(async () => {
  await orgs?.stop();
});

describe('org binding', () => {
  it('binds the schema to the org of its first sync, with the org id and instance', async () => {
    const binding = await readOrgBinding(db.current.pool, 'salesforce');
    expect(binding).toMatchObject({ orgId: orgs.first.context.store.orgId, instanceUrl: orgs.url });
    const plan = await activities.planCycle({ objects: ['Lead'] });
    expect(plan.org?.orgId).toBe(orgs.first.context.store.orgId);
    expect(plan.orgMismatch).toBeUndefined();
  });

  it('touches nothing on either side while another org answers, and resumes when the bound org is back', async () => {
    const firstOrg = orgs.first.context.store.orgId;
    const secondOrg = orgs.second.context.store.orgId;
    // A marketing edit waiting to be pushed, and a record in the bound org to pull.
    await rows(
      `INSERT INTO salesforce.lead (lastname, company, email) VALUES ('Pending', 'Acme', 'pending@acme.test')`,
    );
    const before = await rows(`SELECT id, sfid, lastname, title FROM salesforce.lead ORDER BY id`);
    const outboxBefore = await rows(`SELECT id, status FROM tandem.outbox ORDER BY id`);

    // The other org now answers on the same login URL. The session is not valid there: the first request
    // gets 401, and the refresh logs into the other org — which the check refuses before any request.
    await orgs.serve(orgs.second);
    const runs: [string, () => Promise<unknown>][] = [
      ['pull', () => activities.pullChanges({ object: 'Lead' })],
      ['push', () => activities.pushChanges({ object: 'Lead' })],
      ['copy', () => activities.copyObjectPages({ object: 'Lead', reason: 'never-copied', maxPages: 1 })],
    ];
    for (const [name, run] of runs) {
      const failure = await failureOf(run(), name);
      expect(failure.message).toContain(secondOrg);
      expect(failure.type).toBe('OrgMismatch');
      expect(failure.nonRetryable).toBe(true);
    }
    // From then on the plan reports it, naming both orgs, and asks for no copy.
    const plan = await activities.planCycle({ objects: ['Lead'] });
    expect(plan.needsCopy).toEqual([]);
    expect(plan.orgMismatch?.bound.orgId).toBe(firstOrg);
    expect(plan.orgMismatch?.connected.orgId).toBe(secondOrg);
    expect(plan.orgMismatch?.message).toContain(firstOrg);
    expect(plan.orgMismatch?.message).toContain(secondOrg);
    expect(plan.orgMismatch?.message).toContain('tandem rebind');

    expect(await rows(`SELECT id, sfid, lastname, title FROM salesforce.lead ORDER BY id`)).toEqual(before);
    expect(await rows(`SELECT id, status FROM tandem.outbox ORDER BY id`)).toEqual(outboxBefore);
    // Nothing was written to the other org.
    expect(orgs.second.context.store.table('Lead').rows.size).toBe(0);

    // The bound org answers again: the same activities (same client) resume with nothing lost.
    await orgs.serve(orgs.first);
    await activities.pullChanges({ object: 'Lead' });
    expect((await activities.planCycle({ objects: ['Lead'] })).orgMismatch).toBeUndefined();
    const pushed = await activities.pushChanges({ object: 'Lead' });
    expect(pushed.rowsPushed).toBe(1);
    const remote = [...orgs.first.context.store.table('Lead').rows.values()];
    expect(remote).toHaveLength(1);
    expect(orgs.second.context.store.table('Lead').rows.size).toBe(0);
    expect(await readOrgBinding(db.current.pool, 'salesforce')).toMatchObject({ orgId: firstOrg });
  });

  it('stops a session refresh that lands in another org before its first request', async () => {
    const { oauth } = orgs.first.credentials;
    const client = await SalesforceClient.connect({
      credentials: {
        flow: 'client-credentials',
        loginUrl: orgs.url,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
      },
      apiVersion: API_VERSION,
    });
    const fresh = createActivities({
      salesforce: client,
      db: db.current.pool,
      config: testConfig({ customObjects: [] }),
    });
    expect((await fresh.planCycle({ objects: ['Lead'] })).orgMismatch).toBeUndefined();
    await orgs.serve(orgs.second);
    // The worker verified its session on the bound org; the refresh inside the pull must not go on in the other.
    const failure = await failureOf(fresh.pullChanges({ object: 'Lead' }), 'pull');
    expect(failure.type).toBe('OrgMismatch');
    await orgs.serve(orgs.first);
    await expect(fresh.pullChanges({ object: 'Lead' })).resolves.toMatchObject({ object: 'Lead' });
  });
});
