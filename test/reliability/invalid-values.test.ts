// Invalid values written on the marketing side: a value longer than the Salesforce field is refused by
// PostgreSQL in the writer's own statement (columns carry describe's lengths), so it never reaches the
// outbox; an unknown value of a restricted picklist reaches Salesforce, is refused there, becomes a
// sync_error saying so — and holds back no other record of the batch; fixing the row syncs it and
// resolves the error. Unrestricted picklists take new values as Salesforce does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from '../push/support';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

describe('invalid values on the marketing side', () => {
  it('refuses a value longer than the Salesforce field in the writer’s statement, before anything is captured', async () => {
    const before = await org.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tandem.outbox`);
    await expect(
      org.sql(`INSERT INTO salesforce.lead (lastname, company, title) VALUES ('Long', 'L', $1)`, ['x'.repeat(129)]),
    ).rejects.toThrow(/value too long for type character varying\(128\)/);
    expect(await org.sql(`SELECT count(*)::int AS n FROM tandem.outbox`)).toEqual(before);
  });

  it('records an unknown restricted picklist value as a sync_error, pushes the rest of the batch, and syncs the row once fixed', async () => {
    const rows = await org.sql<{ id: string; lastname: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status, leadsource) VALUES
         ('Good1', 'G', 'Open - Not Contacted', NULL),
         ('Bad', 'B', 'Very Interested', NULL),
         ('Good2', 'G', NULL, 'Podcast')
       RETURNING id, lastname`,
    );
    const id = Object.fromEntries(rows.map((r) => [r.lastname, r.id]));
    const result = await org.cycle();
    expect(result.Lead).toMatchObject({ rowsPushed: 2, rowsFailed: 1 });

    const local = await org.sql<{ lastname: string; sfid: string | null }>(
      `SELECT lastname, sfid FROM salesforce.lead WHERE id = ANY($1::bigint[]) ORDER BY lastname`,
      [rows.map((r) => r.id)],
    );
    expect(local.find((r) => r.lastname === 'Good1')!.sfid).toMatch(/^00Q/);
    expect(local.find((r) => r.lastname === 'Good2')!.sfid).toMatch(/^00Q/);
    expect(local.find((r) => r.lastname === 'Bad')!.sfid).toBeNull(); // kept, not dropped
    const good2 = await org.rep.sobject('Lead').retrieve(local.find((r) => r.lastname === 'Good2')!.sfid!);
    expect(good2).toMatchObject({ LeadSource: 'Podcast' }); // unrestricted picklist: a new value is accepted

    const [error] = await org.sql<{ code: string; message: string; fields: string[]; operation: string }>(
      `SELECT code, message, fields, operation FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1 AND resolved_at IS NULL`,
      [id.Bad],
    );
    expect(error).toMatchObject({ code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', operation: 'insert' });
    expect(error!.message).toMatch(/Very Interested|picklist/i);

    // The next cycle does not retry it (it is permanent) and nothing else is held.
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 0, backlog: 0 });

    // Fixed on the marketing side: pushed, error resolved.
    // (Not 'Working - Contacted': the org's validation rule wants an email or phone for that — another sync_error.)
    await org.sql(`UPDATE salesforce.lead SET status = 'Open - Not Contacted' WHERE id = $1`, [id.Bad]);
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 1, rowsFailed: 0 });
    const [fixed] = await org.sql<{ sfid: string }>(`SELECT sfid FROM salesforce.lead WHERE id = $1`, [id.Bad]);
    expect(fixed!.sfid).toMatch(/^00Q/);
    expect(await org.rep.sobject('Lead').retrieve(fixed!.sfid)).toMatchObject({
      LastName: 'Bad',
      Status: 'Open - Not Contacted',
    });
    expect(
      await org.sql(
        `SELECT count(*)::int AS n FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1 AND resolved_at IS NULL`,
        [id.Bad],
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('an update with an unknown picklist value fails alone; the other updates of the batch go through', async () => {
    const leads = await org.sql<{ id: string; sfid: string }>(
      `SELECT id, sfid FROM salesforce.lead WHERE sfid IS NOT NULL ORDER BY id LIMIT 3`,
    );
    expect(leads).toHaveLength(3);
    await org.sql(`UPDATE salesforce.lead SET status = 'Maybe Later' WHERE id = $1`, [leads[0]!.id]);
    await org.sql(`UPDATE salesforce.lead SET title = 'Buyer' WHERE id = $1`, [leads[1]!.id]);
    await org.sql(`UPDATE salesforce.lead SET title = 'Analyst' WHERE id = $1`, [leads[2]!.id]);
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 2, rowsFailed: 1 });
    expect(await org.rep.sobject('Lead').retrieve(leads[1]!.sfid)).toMatchObject({ Title: 'Buyer' });
    expect(await org.rep.sobject('Lead').retrieve(leads[2]!.sfid)).toMatchObject({ Title: 'Analyst' });
    const errors = await org.sql<{ code: string; operation: string }>(
      `SELECT code, operation FROM tandem.sync_error WHERE row_id = $1 AND resolved_at IS NULL`,
      [leads[0]!.id],
    );
    expect(errors).toEqual([{ code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', operation: 'update' }]);
  });
});
