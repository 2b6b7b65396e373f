// The Salesforce → PostgreSQL activities on the embedded database (PGlite over the wire protocol, what
// `npm start` falls back to without a PostgreSQL): the initial copy — Bulk pages and REST pages, staged
// with INSERTs since PGlite cannot COPY — equals the org field by field, and pulls pick up what a rep
// changes, deletes included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { readCopyCheckpoint } from '../../src/db/state';
import { syncedObjects } from '../../src/objects';
import { copyObject, expectCopyEqualsOrg, startTestOrg, type TestOrg } from './org';

const OBJECTS = syncedObjects(['Subscription__c']).map((o) => o.name);
const dataDir = mkdtempSync(join(tmpdir(), 'tandem-pglite-activities-'));
let server: EmbeddedPostgres;
let pool: pg.Pool;
let org: TestOrg;

beforeAll(async () => {
  server = await startEmbeddedPostgres({ dataDir });
  pool = new pg.Pool({ connectionString: server.url, max: 10 });
  org = await startTestOrg(pool);
});
afterAll(async () => {
  await org?.emulator.stop();
  await pool?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('activities on the embedded database', () => {
  it('copies every object, through Bulk and REST pages, so that each table equals the org field by field', async () => {
    const modes = new Set<string>();
    for (const object of OBJECTS) {
      await copyObject(org.activities, object, 3);
      await expectCopyEqualsOrg(org, pool, object);
      modes.add((await readCopyCheckpoint(pool, object))!.mode!);
    }
    expect([...modes].sort()).toEqual(['bulk', 'rest']);
  });

  it('pulls creates, updates and deletes made by a rep', async () => {
    const created = await org.rep.sobject('Lead').create({ LastName: 'Embedded', Company: 'Tandem Test' });
    const doomed = (await org.rep.query<{ Id: string }>('SELECT Id FROM Contact ORDER BY Id LIMIT 1')).records[0]!;
    await org.rep.sobject('Lead').update({ Id: created.id!, Title: 'VP Embedded' });
    await org.rep.sobject('Contact').destroy(doomed.Id);
    for (const object of ['Lead', 'Contact']) await org.activities.pullChanges({ object });
    const lead = await pool.query('SELECT lastname, title, isdeleted FROM salesforce.lead WHERE sfid = $1', [
      created.id,
    ]);
    expect(lead.rows).toEqual([{ lastname: 'Embedded', title: 'VP Embedded', isdeleted: false }]);
    const contact = await pool.query('SELECT isdeleted FROM salesforce.contact WHERE sfid = $1', [doomed.Id]);
    expect(contact.rows).toEqual([{ isdeleted: true }]);
    await expectCopyEqualsOrg(org, pool, 'Lead');
  });
});
