// Records that leave the sync user's visibility: a lead whose owner moves to the executive (whose
// records are private) is marked deleted with reason not-visible by the next cycle's sweep, a
// marketing edit to it fails naming visibility, not a delete, and moving it back brings the row back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idBatches, missingIds } from '../../src/activities/visibility';
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

describe('visibility loss', () => {
  it('marks a lead moved to a private owner not visible within one cycle, and un-marks it when moved back', async () => {
    const { exec, rep } = org.emulator.credentials;
    const lead = await org.rep
      .sobject('Lead')
      .create({ LastName: 'Hidden', Company: 'Hidden Co', Email: 'hidden@co.test' });
    const other = await org.rep.sobject('Lead').create({ LastName: 'Still Here', Company: 'Here Co' });
    await org.cycle();
    const [row] = await org.sql<{ id: string }>(`SELECT id FROM salesforce.lead WHERE sfid = $1`, [lead.id]);
    await org.sql(`UPDATE salesforce.lead SET title = 'Edited meanwhile' WHERE id = $1`, [row!.id]);
    await org.rep.sobject('Lead').update({ Id: lead.id!, OwnerId: exec.userId });

    const results = await org.cycle();
    expect(results.Lead).toMatchObject({ rowsFailed: 1 });
    expect(
      await org.sql(`SELECT isdeleted FROM salesforce.lead WHERE sfid = ANY($1) ORDER BY lastname`, [
        [lead.id, other.id],
      ]),
    ).toEqual([{ isdeleted: true }, { isdeleted: false }]);
    expect(await org.sql(`SELECT sfid FROM tandem.not_visible WHERE object = 'Lead'`)).toEqual([{ sfid: lead.id }]);
    const [error] = await org.sql<{ code: string; message: string }>(
      `SELECT code, message FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1 AND resolved_at IS NULL`,
      [row!.id],
    );
    expect(error!.code).toBe('NOT_VISIBLE');
    expect(error!.message).toMatch(/no longer visible to the sync user/);
    expect(error!.message).not.toMatch(/deleted/);

    await org.rep.sobject('Lead').update({ Id: lead.id!, OwnerId: rep.userId });
    await org.cycle();
    expect(await org.sql(`SELECT isdeleted FROM salesforce.lead WHERE sfid = $1`, [lead.id])).toEqual([
      { isdeleted: false },
    ]);
    expect(await org.sql(`SELECT sfid FROM tandem.not_visible`)).toEqual([]);
  });

  it('a push refused for a record the sync user no longer sees names visibility and marks the row, between sweeps', async () => {
    const { exec } = org.emulator.credentials;
    const hourly = org.withConfig({ deletedCheckIntervalSeconds: 3600 });
    const lead = await org.rep.sobject('Lead').create({ LastName: 'Pushed Into Shadow', Company: 'Shadow Co' });
    await org.cycle(hourly); // pulls it and runs this hour's sweep
    const [row] = await org.sql<{ id: string }>(`SELECT id FROM salesforce.lead WHERE sfid = $1`, [lead.id]);
    await org.rep.sobject('Lead').update({ Id: lead.id!, OwnerId: exec.userId });
    await org.sql(`UPDATE salesforce.lead SET title = 'Sent to nobody' WHERE id = $1`, [row!.id]);
    expect((await org.cycle(hourly)).Lead).toMatchObject({ rowsFailed: 1 });
    const [error] = await org.sql<{ code: string; message: string }>(
      `SELECT code, message FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1 AND resolved_at IS NULL`,
      [row!.id],
    );
    expect(error).toMatchObject({
      code: 'NOT_VISIBLE',
      message: expect.stringMatching(/no longer visible to the sync user/),
    });
    expect(await org.sql(`SELECT isdeleted FROM salesforce.lead WHERE id = $1`, [row!.id])).toEqual([
      { isdeleted: true },
    ]);
  });

  it('asks for the ids in query-sized groups and reports those Salesforce did not return', () => {
    expect(idBatches(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(missingIds(['a', 'b', 'c'], new Set(['b']))).toEqual(['a', 'c']);
  });
});
