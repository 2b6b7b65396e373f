// Per-record results and the Marketo flows: a validation failure is recorded while the rest of the
// batch goes through and the fixed row syncs; duplicate-rule rejections and linking by email; a lead
// converted in Salesforce; a merge in Salesforce; deletes (kept local by default); a retried insert
// after a crash between Salesforce's success and the local commit creates no duplicate; transient
// lock errors stay pending; Bulk ingest above the threshold; resync re-drives sync errors.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStory, type RecordStory } from '../../src/db/story';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from './support';

const execFileAsync = promisify(execFile);
const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

async function sfidOf(table: string, id: string): Promise<string | null> {
  return (await org.sql<{ sfid: string | null }>(`SELECT sfid FROM salesforce.${table} WHERE id = $1`, [id]))[0]!.sfid;
}

async function openError(
  object: string,
  id: string,
): Promise<{ code: string; message: string; attempts: number } | undefined> {
  return (
    await org.sql<{ code: string; message: string; attempts: number }>(
      `SELECT code, message, attempts FROM tandem.sync_error WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL`,
      [object, id],
    )
  )[0];
}

describe('per-record results', () => {
  it('records a validation failure while the rest of the batch succeeds, then syncs the fixed row', async () => {
    const rows = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status, email) VALUES
         ('Valid One', 'A', 'Open - Not Contacted', NULL), ('Invalid', 'B', 'Working - Contacted', NULL), ('Valid Two', 'C', 'Working - Contacted', 'v2@c.test')
       RETURNING id`,
    );
    const result = await org.cycle();
    expect(result.Lead).toMatchObject({ rowsPushed: 2, rowsFailed: 1, openErrors: 1, backlog: 0 });
    expect(await sfidOf('lead', rows[0]!.id)).toMatch(/^00Q/);
    expect(await sfidOf('lead', rows[2]!.id)).toMatch(/^00Q/);
    expect(await sfidOf('lead', rows[1]!.id)).toBeNull();
    expect(await openError('Lead', rows[1]!.id)).toEqual({
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'A lead being worked needs an email address or a phone number.',
      attempts: 1,
    });
    expect(await org.sql(`SELECT _tandem_error FROM salesforce.lead WHERE id = $1`, [rows[1]!.id])).toEqual([
      {
        _tandem_error:
          'FIELD_CUSTOM_VALIDATION_EXCEPTION: A lead being worked needs an email address or a phone number.',
      },
    ]);
    // Not retried while nothing changes.
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 0, rowsFailed: 0, apiCalls: 0, openErrors: 1 });
    // The row changes: re-driven, created, error resolved and kept as history.
    await org.sql(`UPDATE salesforce.lead SET phone = '555-0100' WHERE id = $1`, [rows[1]!.id]);
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 1, rowsFailed: 0, openErrors: 0 });
    const sfid = await sfidOf('lead', rows[1]!.id);
    expect(await org.rep.sobject('Lead').retrieve(sfid!)).toMatchObject({
      LastName: 'Invalid',
      Phone: '555-0100',
      Status: 'Working - Contacted',
    });
    expect(
      await org.sql(`SELECT resolution FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1`, [rows[1]!.id]),
    ).toEqual([{ resolution: 'pushed' }]);
  });

  it('records a duplicate-rule rejection when linking by email is off, and re-drives it on resync', async () => {
    const activities = org.withConfig({ dedupeLeadsByEmail: false });
    const existing = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Original', Company: 'Dup Co', Email: 'dup@dup.test' });
    await org.cycle(activities);
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, email) VALUES ('Copy', 'Dup Co', 'dup@dup.test') RETURNING id`,
    );
    expect((await org.cycle(activities)).Lead).toMatchObject({ rowsFailed: 1, openErrors: 1 });
    expect(await openError('Lead', row!.id)).toMatchObject({
      code: 'DUPLICATES_DETECTED',
      message: 'Use one of these records?',
    });
    // The cause goes away in Salesforce; a resync re-drives the error.
    await org.rep.sobject('Lead').destroy(existing.id!);
    await activities.startInitialCopy({ object: 'Lead', reason: 'resync-requested' });
    expect(
      await org.sql(`SELECT status, note FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1`, [row!.id]),
    ).toEqual([{ status: 'pending', note: 're-driven by resync' }]);
    for (;;)
      if ((await activities.copyObjectPages({ object: 'Lead', reason: 'resync-requested', maxPages: 10 })).done) break;
    expect((await org.cycle(activities)).Lead).toMatchObject({ rowsPushed: 1, openErrors: 0 });
    expect(await sfidOf('lead', row!.id)).toMatch(/^00Q/);
  });

  it('links a new lead to the visible lead or contact with the same email instead of creating a duplicate', async () => {
    const contact = await org.rep.sobject('Contact').create({ LastName: 'Known', Email: 'known@acme.test' });
    const lead = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Prospect', Company: 'Old Co', Email: 'prospect@acme.test' });
    await org.cycle();
    const before = (await org.rep.query('SELECT Id FROM Lead')).totalSize;
    const rows = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, email, title) VALUES ('Known', 'Acme', 'KNOWN@acme.test', 'Engineer'), ('Prospect', 'New Co', 'prospect@acme.test', 'CEO') RETURNING id`,
    );
    const first = await org.cycle();
    expect(first.Lead).toMatchObject({ linked: 2, rowsFailed: 0 });
    expect(
      await org.sql(`SELECT _tandem_linked_to, sfid FROM salesforce.lead WHERE id = ANY($1::bigint[]) ORDER BY id`, [
        rows.map((r) => r.id),
      ]),
    ).toEqual([
      { _tandem_linked_to: contact.id, sfid: null },
      { _tandem_linked_to: lead.id, sfid: null },
    ]);
    await org.cycle(); // the contact's and lead's captured edits go out
    expect((await org.rep.query('SELECT Id FROM Lead')).totalSize).toBe(before);
    expect(await org.rep.sobject('Contact').retrieve(contact.id!)).toMatchObject({
      Title: 'Engineer',
      LastName: 'Known',
    }); // blank filled
    expect(await org.rep.sobject('Lead').retrieve(lead.id!)).toMatchObject({ Title: 'CEO', Company: 'New Co' }); // Lead: marketing wins
    const people = await org.sql(
      `SELECT person_type, sfid FROM salesforce.person WHERE lower(email) IN ('known@acme.test', 'prospect@acme.test') ORDER BY person_type`,
    );
    expect(people).toEqual([
      { person_type: 'Contact', sfid: contact.id },
      { person_type: 'Lead', sfid: lead.id },
    ]);
  });

  it('links to the lead Salesforce’s duplicate rule names when the match appeared after the pull', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, email, title) VALUES ('Racer', 'Race Co', 'race@race.test', 'From Marketing') RETURNING id`,
    );
    await org.activities.pullChanges({ object: 'Lead' });
    const rival = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Racer', Company: 'Race Co', Email: 'race@race.test' }); // after the pull
    expect(await org.activities.pushChanges({ object: 'Lead' })).toMatchObject({ linked: 1, rowsFailed: 0 });
    expect(await sfidOf('lead', row!.id)).toBe(rival.id);
    expect(
      await org.sql(`SELECT status, note FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1`, [row!.id]),
    ).toEqual([
      {
        status: 'pending',
        note: `linked to the existing Lead ${rival.id} the duplicate rule matched (sync.dedupeLeadsByEmail)`,
      },
    ]);
    await org.cycle(); // the pull brings the rival into this row; the marketing values go out as an update (Lead: marketing wins)
    expect(await org.rep.sobject('Lead').retrieve(rival.id!)).toMatchObject({ Title: 'From Marketing' });
    expect((await org.rep.query(`SELECT Id FROM Lead WHERE Email = 'race@race.test'`)).totalSize).toBe(1);
    expect(await org.sql(`SELECT count(*)::int AS n FROM salesforce.lead WHERE email = 'race@race.test'`)).toEqual([
      { n: 1 },
    ]);
  });

  it('leaves records with transient lock errors pending for the next cycle', async () => {
    const rows = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.contact (lastname) VALUES ('Lock A'), ('Lock B'), ('Lock C') RETURNING id`,
    );
    await org.admin('POST', '/faults', {
      kind: 'unable-to-lock-row',
      path: '/services/data/*/composite/sobjects*',
      skip: 1,
      count: 1,
    });
    const first = await org.cycle();
    expect(first.Contact).toMatchObject({ rowsPushed: 2, rowsFailed: 0, backlog: 1 });
    expect(
      await org.sql(`SELECT last_error FROM tandem.outbox WHERE object = 'Contact' AND status = 'pending'`),
    ).toEqual([{ last_error: expect.stringMatching(/^UNABLE_TO_LOCK_ROW/) }]);
    await org.admin('DELETE', '/faults');
    expect((await org.cycle()).Contact).toMatchObject({ rowsPushed: 1, backlog: 0 });
    for (const r of rows) expect(await sfidOf('contact', r.id)).toMatch(/^003/);
  });

  it('keeps every row pending when a whole call fails with a 5xx, and pushes them next cycle', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.contact (lastname) VALUES ('Outage') RETURNING id`,
    );
    await org.admin('POST', '/faults', {
      kind: 'server-unavailable',
      path: '/services/data/*/composite/sobjects*',
      count: 1,
    });
    const first = await org.cycle();
    expect(first.Contact).toMatchObject({
      rowsPushed: 0,
      backlog: 1,
      interrupted: expect.stringContaining('SERVER_UNAVAILABLE'),
    });
    await org.admin('DELETE', '/faults');
    expect((await org.cycle()).Contact).toMatchObject({ rowsPushed: 1, backlog: 0 });
    expect(await sfidOf('contact', row!.id)).toMatch(/^003/);
  });
});

describe('one push per object at a time', () => {
  it('refuses (retryably) to push an object whose previous push still holds its lock', async () => {
    const holder = await db.current.pool.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('tandem push Contact'))`);
      await expect(org.activities.pushChanges({ object: 'Contact' })).rejects.toMatchObject({
        message: 'Contact: another push of Contact is still running; retrying',
        nonRetryable: false,
      });
      expect(await org.activities.pushChanges({ object: 'Lead' })).toMatchObject({ object: 'Lead' });
    } finally {
      await holder.query(`SELECT pg_advisory_unlock_all()`);
      holder.release();
    }
    expect(await org.activities.pushChanges({ object: 'Contact' })).toMatchObject({ object: 'Contact' });
  });
});

describe('inserts retried after a crash', () => {
  // The crash: Salesforce created the record, then the local commit failed (a trigger on the outbox
  // makes the transaction that would record the success fail once).
  async function crashNextLocalCommit(): Promise<void> {
    // A sequence, not a table: nextval survives the rollback of the transaction it fails.
    await org.sql(`DROP SEQUENCE IF EXISTS public.crash_once`);
    await org.sql(`CREATE SEQUENCE public.crash_once`);
    // Qualified: the trigger fires in Tandem's sessions, whose search_path leaves out public (src/db/pool.ts).
    await org.sql(`CREATE OR REPLACE FUNCTION public.crash_before_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('public.crash_once') = 1 THEN
          RAISE EXCEPTION 'simulated crash after Salesforce succeeded';
        END IF;
        RETURN NEW;
      END $$`);
    await org.sql(`DROP TRIGGER IF EXISTS crash_before_commit ON tandem.outbox`);
    await org.sql(
      `CREATE TRIGGER crash_before_commit BEFORE UPDATE ON tandem.outbox FOR EACH ROW WHEN (NEW.status = 'pushed') EXECUTE FUNCTION public.crash_before_commit()`,
    );
  }

  it('upserts by the external id: the retry finds the record, and the pulled echo row is folded in', async () => {
    await crashNextLocalCommit();
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company) VALUES ('Crashy', 'Crash Co') RETURNING id`,
    );
    await expect(org.cycle()).rejects.toThrow('simulated crash after Salesforce succeeded');
    expect((await org.rep.query(`SELECT Id FROM Lead WHERE LastName = 'Crashy'`)).totalSize).toBe(1);
    expect(await sfidOf('lead', row!.id)).toBeNull();
    const result = await org.cycle(); // the pull brings the record back as a second row; the push finds it by key
    expect(result.Lead).toMatchObject({ rowsPushed: 1, rowsFailed: 0, backlog: 0 });
    expect((await org.rep.query(`SELECT Id FROM Lead WHERE LastName = 'Crashy'`)).totalSize).toBe(1);
    expect(
      await org.sql(`SELECT id::text, sfid IS NOT NULL AS synced FROM salesforce.lead WHERE lastname = 'Crashy'`),
    ).toEqual([{ id: row!.id, synced: true }]);
    expect(await org.sql(`SELECT note FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1`, [row!.id])).toEqual([
      { note: 'created by an earlier attempt: matched by its key, not duplicated' },
    ]);
  });

  it('links the retried row to the pulled copy of the record when marketing already edited that copy', async () => {
    await crashNextLocalCommit();
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.contact (lastname) VALUES ('Twice Held') RETURNING id`,
    );
    await expect(org.cycle()).rejects.toThrow('simulated crash after Salesforce succeeded');
    await org.activities.pullChanges({ object: 'Contact' }); // the record arrives as a second row…
    const [copy] = await org.sql<{ id: string; sfid: string }>(
      `SELECT id, sfid FROM salesforce.contact WHERE lastname = 'Twice Held' AND sfid IS NOT NULL`,
    );
    await org.sql(`UPDATE salesforce.contact SET title = 'Edited copy' WHERE id = $1`, [copy!.id]); // …which marketing edits
    expect((await org.cycle()).Contact).toMatchObject({ rowsFailed: 0, backlog: 0 });
    expect(await org.sql(`SELECT _tandem_linked_to, sfid FROM salesforce.contact WHERE id = $1`, [row!.id])).toEqual([
      { _tandem_linked_to: copy!.sfid, sfid: null },
    ]);
    expect(await org.rep.sobject('Contact').retrieve(copy!.sfid)).toMatchObject({ Title: 'Edited copy' });
    expect((await org.rep.query(`SELECT Id FROM Contact WHERE LastName = 'Twice Held'`)).totalSize).toBe(1);
    expect(await org.sql(`SELECT person_type FROM salesforce.person WHERE lastname = 'Twice Held'`)).toEqual([
      { person_type: 'Contact' },
    ]);
  });

  it('looks a campaign up by its natural key (no external id on Campaign) before creating it again', async () => {
    await crashNextLocalCommit();
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaign (name) VALUES ('Crash Campaign') RETURNING id`,
    );
    await expect(org.cycle()).rejects.toThrow('simulated crash after Salesforce succeeded');
    expect((await org.rep.query(`SELECT Id FROM Campaign WHERE Name = 'Crash Campaign'`)).totalSize).toBe(1);
    await org.cycle();
    expect((await org.rep.query(`SELECT Id FROM Campaign WHERE Name = 'Crash Campaign'`)).totalSize).toBe(1);
    expect(
      await org.sql(
        `SELECT id::text, sfid IS NOT NULL AS synced FROM salesforce.campaign WHERE name = 'Crash Campaign'`,
      ),
    ).toEqual([{ id: row!.id, synced: true }]);
    await org.sql(`DROP TRIGGER crash_before_commit ON tandem.outbox`);
  });

  it('a campaign whose name another campaign has, created by a send whose result was lost, is adopted, not created twice', async () => {
    const [first] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaign (name) VALUES ('Spring Webinar') RETURNING id`,
    );
    await org.cycle();
    await crashNextLocalCommit();
    const [second] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.campaign (name) VALUES ('Spring Webinar') RETURNING id`,
    );
    await expect(org.cycle()).rejects.toThrow('simulated crash after Salesforce succeeded');
    expect((await org.rep.query(`SELECT Id FROM Campaign WHERE Name = 'Spring Webinar'`)).totalSize).toBe(2);
    await org.cycle(); // pulls the second campaign's echo, then retries the insert
    const remote = (
      await org.rep.query<{ Id: string }>(`SELECT Id FROM Campaign WHERE Name = 'Spring Webinar'`)
    ).records.map((r) => r.Id);
    expect(remote).toHaveLength(2);
    const local = await org.sql<{ id: string; sfid: string }>(
      `SELECT id::text, sfid FROM salesforce.campaign WHERE name = 'Spring Webinar' ORDER BY id`,
    );
    expect(local.map((r) => r.id)).toEqual([first!.id, second!.id]);
    expect(new Set(local.map((r) => r.sfid))).toEqual(new Set(remote));
    await org.sql(`DROP TRIGGER crash_before_commit ON tandem.outbox`);
  });
});

describe('Marketo flows', () => {
  it('a lead converted in Salesforce becomes its contact: the row is marked, later edits go to the contact, the person shows once', async () => {
    const lead = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Convert', Company: 'Convert Co', Email: 'convert@co.test' });
    await org.cycle();
    const [row] = await org.sql<{ id: string }>(`SELECT id FROM salesforce.lead WHERE sfid = $1`, [lead.id]);
    const [converted] = (await org.rep.soap.convertLead([
      { leadId: lead.id!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
    ])) as { contactId: string }[];
    await org.cycle();
    expect(
      await org.sql(`SELECT isconverted, convertedcontactid FROM salesforce.lead WHERE id = $1`, [row!.id]),
    ).toEqual([{ isconverted: true, convertedcontactid: converted!.contactId }]);
    await org.sql(`UPDATE salesforce.lead SET title = 'After Conversion', mobilephone = '555-0177' WHERE id = $1`, [
      row!.id,
    ]);
    const redirected = await org.cycle();
    expect(redirected.Lead).toMatchObject({ redirected: 1, rowsFailed: 0 });
    await org.cycle();
    expect(await org.rep.sobject('Contact').retrieve(converted!.contactId)).toMatchObject({
      Title: 'After Conversion',
      MobilePhone: '555-0177',
    });
    expect(
      await org.sql(
        `SELECT status, note FROM tandem.outbox WHERE object = 'Lead' AND row_id = $1 ORDER BY id DESC LIMIT 1`,
        [row!.id],
      ),
    ).toEqual([
      { status: 'redirected', note: `the lead was converted: edits applied to Contact ${converted!.contactId}` },
    ]);
    expect(await org.sql(`SELECT person_type, sfid FROM salesforce.person WHERE email = 'convert@co.test'`)).toEqual([
      { person_type: 'Contact', sfid: converted!.contactId },
    ]);
  });

  it('a merge in Salesforce merges the marketing rows: the loser is marked with its master and its values fill the master’s blanks', async () => {
    await org.sql(`ALTER TABLE salesforce.lead ADD COLUMN IF NOT EXISTS marketing_score integer`);
    const master = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Master', Company: 'Merge Co', Email: 'm@merge.test' });
    const loser = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Loser', Company: 'Merge Co', Email: 'l@merge.test', Title: 'Ignored' });
    await org.cycle();
    await org.sql(`UPDATE salesforce.lead SET marketing_score = 42 WHERE sfid = $1`, [loser.id]);
    await org.sql(`UPDATE salesforce.lead SET phone = '555-0142', website = 'loser.test' WHERE sfid = $1`, [loser.id]); // pending when the merge happens
    await org.rep.sobject('Lead').update({ Id: master.id!, Website: 'master.test' });
    await org.rep.soap.merge({
      masterRecord: { type: 'Lead', Id: master.id! },
      recordToMergeIds: [loser.id!],
    } as never);
    await org.cycle();
    await org.cycle();
    expect(await org.sql(`SELECT isdeleted, masterrecordid FROM salesforce.lead WHERE sfid = $1`, [loser.id])).toEqual([
      { isdeleted: true, masterrecordid: master.id },
    ]);
    expect(
      await org.sql(`SELECT marketing_score, phone, website FROM salesforce.lead WHERE sfid = $1`, [master.id]),
    ).toEqual([{ marketing_score: 42, phone: '555-0142', website: 'master.test' }]);
    expect(await org.rep.sobject('Lead').retrieve(master.id!)).toMatchObject({
      Phone: '555-0142',
      Website: 'master.test',
    });
    expect(
      await org.sql(`SELECT count(*)::int AS n FROM salesforce.person WHERE email IN ('m@merge.test', 'l@merge.test')`),
    ).toEqual([{ n: 1 }]);
    expect(
      await org.sql(`SELECT count(*)::int AS n FROM tandem.sync_error WHERE resolved_at IS NULL AND sfid = $1`, [
        loser.id,
      ]),
    ).toEqual([{ n: 0 }]);
  });

  it('keeps a marketing-side delete local by default and reports it; deletes it in Salesforce when configured', async () => {
    const a = await org.rep.sobject('Contact').create({ LastName: 'Keep Me' });
    const b = await org.rep.sobject('Contact').create({ LastName: 'Delete Me' });
    await org.cycle();
    await org.sql(`DELETE FROM salesforce.contact WHERE sfid = $1`, [a.id]);
    expect((await org.cycle()).Contact).toMatchObject({ deletesNotPropagated: 1, rowsPushed: 0 });
    expect(await org.rep.sobject('Contact').retrieve(a.id!)).toMatchObject({ LastName: 'Keep Me' });
    // The pulls re-read the record (it changed inside their overlap window) but do not bring it back…
    await org.cycle();
    expect(await org.sql(`SELECT count(*)::int AS n FROM salesforce.contact WHERE sfid = $1`, [a.id])).toEqual([
      { n: 0 },
    ]);
    // …until Salesforce changes it again: then it returns, as Marketo's people do.
    await org.admin('POST', '/clock', { advanceMs: 2_000 });
    await org.rep.sobject('Contact').update({ Id: a.id!, Title: 'Changed in Salesforce' });
    await org.cycle();
    await org.admin('POST', '/clock', { reset: true });
    expect(await org.sql(`SELECT title FROM salesforce.contact WHERE sfid = $1`, [a.id])).toEqual([
      { title: 'Changed in Salesforce' },
    ]);

    const deleting = org.withConfig({ pushDeletes: { Contact: true } });
    await org.sql(`DELETE FROM salesforce.contact WHERE sfid = $1`, [b.id]);
    expect((await org.cycle(deleting)).Contact).toMatchObject({ rowsPushed: 1, deletesNotPropagated: 0 });
    expect((await org.rep.query(`SELECT Id FROM Contact WHERE Id = '${b.id}'`)).totalSize).toBe(0);
    await org.cycle(deleting); // Salesforce's delete comes back through queryAll: the row stays gone
    expect(await org.sql(`SELECT count(*)::int AS n FROM salesforce.contact WHERE sfid = $1`, [b.id])).toEqual([
      { n: 0 },
    ]);
  });
});

describe('Bulk API 2.0 ingest above the threshold', () => {
  it('pushes inserts and updates as ingest jobs, with per-record failures recorded', async () => {
    const bulk = org.withConfig({ bulkIngestThreshold: 5 });
    const rows = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status, email)
       SELECT 'Bulk ' || g, 'Bulk Co', CASE WHEN g = 3 THEN 'Working - Contacted' ELSE 'Open - Not Contacted' END, CASE WHEN g = 3 THEN NULL ELSE 'bulk' || g || '@bulk.test' END
         FROM generate_series(1, 8) g RETURNING id`,
    );
    const inserted = await org.cycle(bulk);
    expect(inserted.Lead).toMatchObject({ rowsPushed: 7, rowsFailed: 1 });
    expect(inserted.Lead!.apiCalls).toBeLessThanOrEqual(8); // create, upload, close, polls, failed + successful results
    expect(await openError('Lead', rows[2]!.id)).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    await org.sql(`UPDATE salesforce.lead SET title = 'Bulk Title' WHERE company = 'Bulk Co' AND sfid IS NOT NULL`);
    const updated = await org.cycle(bulk);
    expect(updated.Lead).toMatchObject({ rowsPushed: 7, rowsFailed: 0 });
    expect(updated.Lead!.apiCalls).toBeLessThanOrEqual(5);
    const remote = await org.rep.query<{ Title: string }>(`SELECT Title FROM Lead WHERE Company = 'Bulk Co'`);
    expect(remote.records.map((r) => r.Title)).toEqual(Array(7).fill('Bulk Title'));
  });
});

describe('visible', () => {
  it('`tandem errors` lists open errors and `tandem why` tells one record’s story', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status) VALUES ('Storied', 'Story Co', 'Working - Contacted') RETURNING id`,
    );
    await org.cycle();
    await org.sql(`UPDATE salesforce.lead SET email = 'storied@story.test' WHERE id = $1`, [row!.id]);
    await org.cycle();
    await org.rep.sobject('Lead').update({ Id: (await sfidOf('lead', row!.id))!, Title: 'From Sales' });
    await org.sql(`UPDATE salesforce.lead SET title = 'From Marketing' WHERE id = $1`, [row!.id]);
    await org.cycle();
    const [other] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status) VALUES ('Still Broken', 'Story Co', 'Working - Contacted') RETURNING id`,
    );
    await org.cycle();
    const run = (args: string[]) =>
      execFileAsync('npx', ['tandem', ...args], {
        env: { ...process.env, DATABASE_URL: db.current.url, TANDEM_CONFIG: '' },
        cwd: process.cwd(),
      });
    const list = await run(['errors']);
    expect(list.stdout).toContain(`Lead row ${other!.id} — insert — OPEN`);
    expect(list.stdout).toContain(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION: A lead being worked needs an email address or a phone number.',
    );
    expect(list.stdout).not.toContain(`Lead row ${row!.id} `);
    const [story] = JSON.parse((await run(['why', 'Lead', row!.id, '--json'])).stdout) as RecordStory[];
    expect(story.outbox.map((o) => [o.operation, o.status])).toEqual([
      ['insert', 'pushed'],
      ['update', 'pushed'],
      ['update', 'pushed'],
    ]);
    expect(story.errors).toEqual([
      expect.objectContaining({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', resolution: 'pushed' }),
    ]);
    expect(story.conflicts).toEqual([
      expect.objectContaining({
        field: 'Title',
        marketing: 'From Marketing',
        salesforce: 'From Sales',
        winner: 'marketing',
        rule: 'marketing-wins',
      }),
    ]);
    expect(story.lastPushedAt).not.toBeNull();
    expect(story.lastPulledAt).not.toBeNull();
    const text = (await run(['why', story.sfid!])).stdout;
    expect(text).toContain(`Lead row ${row!.id}, Salesforce id ${story.sfid}`);
    expect(text).toContain(
      'Title: base ∅, marketing "From Marketing", Salesforce "From Sales" → marketing (marketing-wins)',
    );
    await expect(recordStory(db.current.pool, 'salesforce', 'Lead', '00Q000000000000AAA')).rejects.toThrow(
      'No Lead with Salesforce id 00Q000000000000AAA in salesforce.lead or tandem.outbox',
    );
  }, 60_000);
});
