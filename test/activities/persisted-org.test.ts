// The demo org as an org: an emulator restarted on its persisted directory between two cycles is the
// same org to Tandem — marketing edits from before and after the restart survive and are pushed, the
// Salesforce edit comes back, no conflict is invented, new ids follow the old ones and nothing is
// copied again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from 'jsforce';
import { afterAll, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { migrate } from '../../src/db/migrations';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { SalesforceClient } from '../../src/salesforce/connection';
import { useTestDatabase } from '../support/database';
import { API_VERSION, copyObject, testConfig } from './org';

const db = useTestDatabase();
const dir = mkdtempSync(join(tmpdir(), 'tandem-persisted-org-'));
let emulator: RunningEmulator | undefined;

afterAll(async () => {
  await emulator?.stop();
});

it('sees the restarted persisted org as the same org and loses or invents nothing across the restart', async () => {
  emulator = await startEmulator({ seed: 'empty', persistDir: dir });
  const port = new URL(emulator.url).port;
  const orgId = emulator.store.orgId;
  const { oauth, rep: repUser } = emulator.credentials;
  await migrate(db.current.pool);
  const client = await SalesforceClient.connect({
    credentials: {
      flow: 'client-credentials',
      loginUrl: emulator.loginUrl,
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
    },
    apiVersion: API_VERSION,
  });
  const activities = createActivities({
    salesforce: client,
    db: db.current.pool,
    config: testConfig({ customObjects: [] }),
  });
  const rep = new Connection({ loginUrl: emulator.loginUrl, version: API_VERSION });
  await rep.loginBySoap(repUser.username, repUser.password + repUser.securityToken);
  const cycle = async (): Promise<void> => {
    for (const object of ['Account', 'Contact', 'Lead']) await activities.pullChanges({ object });
    for (const object of ['Contact', 'Lead']) await activities.pushChanges({ object });
  };
  const sql = async <T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> =>
    (await db.current.pool.query(text, params)).rows as T[];

  for (const object of ['Account', 'Contact', 'Lead']) await copyObject(activities, object);
  const before = await rep.sobject('Lead').create({ LastName: 'Before', Company: 'Acme' });
  await cycle();
  const copies = await sql(`SELECT object, copy_id, rows_copied FROM tandem.copy_checkpoint ORDER BY object`);
  await sql(`UPDATE salesforce.lead SET title = 'Marketing, before the restart' WHERE sfid = $1`, [before.id]);

  // Restart on the same directory and port: same org, same sessions.
  await emulator.stop();
  emulator = await startEmulator({ seed: 'empty', persistDir: dir, port: Number(port) });
  expect(emulator.persistence?.restored).toBe(true);
  // Let the clients see their kept-alive sockets to the old server closed.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(emulator.store.orgId).toBe(orgId);
  await rep.sobject('Lead').update({ Id: before.id!, Phone: '555-0100' });
  await sql(`UPDATE salesforce.lead SET company = 'Acme after the restart' WHERE sfid = $1`, [before.id]);
  const after = await rep.sobject('Lead').create({ LastName: 'After', Company: 'Acme' });
  expect(after.id! > before.id!, `${after.id} after ${before.id}`).toBe(true);
  await cycle();
  await cycle();

  expect(await rep.sobject('Lead').retrieve(before.id!)).toMatchObject({
    Title: 'Marketing, before the restart',
    Company: 'Acme after the restart',
    Phone: '555-0100',
  });
  expect(await sql(`SELECT title, company, phone FROM salesforce.lead WHERE sfid = $1`, [before.id])).toEqual([
    { title: 'Marketing, before the restart', company: 'Acme after the restart', phone: '555-0100' },
  ]);
  expect(await sql(`SELECT lastname FROM salesforce.lead WHERE sfid = $1`, [after.id])).toEqual([
    { lastname: 'After' },
  ]);
  expect(await sql(`SELECT count(*)::int AS n FROM tandem.conflict_log`)).toEqual([{ n: 0 }]);
  expect(await sql(`SELECT count(*)::int AS n FROM tandem.outbox WHERE status IN ('pending', 'failed')`)).toEqual([
    { n: 0 },
  ]);
  expect(await sql(`SELECT object, copy_id, rows_copied FROM tandem.copy_checkpoint ORDER BY object`)).toEqual(copies);
  expect(await sql(`SELECT org_id FROM tandem.org_binding`)).toEqual([{ org_id: orgId }]);
});
